import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, Chart } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { SHOP } from './git-fixture';
import { readTree, tempDir } from './helpers';
import { shopApp, SHOP_PROPS } from './shop-fixture';
import { DeliveryApp } from '../../src/delivery/delivery-app';
import { progressLine, stampVersions, STAGING_DIR_ENV } from '../../src/delivery/render';
import { verifyFolder } from '../../src/delivery/render-index';

function objectsIn(dir: string): { file: string; obj: any }[] {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => ({ file: f, obj: d.toJS() })));
}

describe('GIVEN a consumer app of two charts WHEN the DeliveryApp synthesizes it', () => {
  let out: string;
  let lines: string[];
  beforeAll(() => {
    out = path.join(tempDir('render'), 'manifests');
    lines = [];
    const log = jest.spyOn(console, 'log').mockImplementation((l: string) => { lines.push(l); });
    shopApp(out).synth();
    log.mockRestore();
  });

  test('THEN two renders of the same code are byte-identical', () => {
    const again = path.join(tempDir('render-again'), 'manifests');
    jest.spyOn(console, 'log').mockImplementation(() => {});
    shopApp(again).synth();
    jest.restoreAllMocks();
    const a = readTree(out);
    const b = readTree(again);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect({ file, content: b[file] }).toEqual({ file, content: a[file] });
  });

  test('THEN there is one folder per chart plus the Argo CD folder, each with an index that matches its files', () => {
    expect(fs.readdirSync(out).sort()).toEqual(['argocd', 'production', 'staging']);
    expect(fs.readdirSync(path.join(out, 'staging')).sort()).toEqual(['00-environment.yaml', 'README.md', 'index.json', 'web.yaml']);
    for (const folder of ['argocd', 'production', 'staging']) {
      const index = verifyFolder(path.join(out, folder));
      const objects = objectsIn(path.join(out, folder));
      expect(index.objects.length).toBe(objects.length);
      for (const { file, obj } of objects) {
        expect(index.objects).toContainEqual(expect.objectContaining({ kind: obj.kind, name: obj.metadata.name, file }));
      }
      expect(index.package).toEqual({ name: '@shop/deploy', version: '2.3.4' });
    }
  });

  test("THEN every object carries its chart's version and the consumer's package-version annotation", () => {
    for (const folder of ['production', 'staging']) {
      for (const { obj } of objectsIn(path.join(out, folder))) {
        expect([obj.kind, obj.metadata.labels['app.kubernetes.io/version']]).toEqual([obj.kind, folder === 'staging' ? '1.5.0' : '1.4.0']);
        expect(obj.metadata.annotations).toEqual({ 'shop.example.com/deploy-version': '2.3.4' });
      }
    }
    expect(verifyFolder(path.join(out, 'staging')).appVersions).toEqual(['1.5.0']);
  });

  test("THEN each README names the namespace and the consumer's package, never this library", () => {
    const readme = fs.readFileSync(path.join(out, 'staging', 'README.md'), 'utf8');
    expect(readme).toContain('Namespace `shop-staging`, app version `1.5.0`, rendered by `@shop/deploy` 2.3.4.');
    expect(readme).toContain('c_web["web<br/>Deployment · Service :80"]');
    expect(JSON.stringify(readTree(out))).not.toMatch(/picvario|k8s-topology/i);
  });

  test('THEN the Argo CD folder fences the charts in a project named after the app, and reads only the YAML files', () => {
    const apps = objectsIn(path.join(out, 'argocd')).map((o) => o.obj);
    const project = apps.find((o) => o.kind === 'AppProject' && o.metadata.name === 'shop');
    expect(project.spec.destinations).toEqual([{ namespace: 'shop-staging', server: 'https://kubernetes.default.svc' }, { namespace: 'shop-production', server: 'https://kubernetes.default.svc' }]);
    expect(project.spec.sourceRepos).toEqual(['https://git.example.com/shop/deploy.git']);
    const staging = apps.find((o) => o.kind === 'Application' && o.metadata.name === 'shop-staging');
    expect(staging.spec.source).toEqual({ repoURL: 'https://git.example.com/shop/deploy.git', targetRevision: 'rendered', path: 'staging', directory: { include: '*.yaml' } });
    const root = apps.find((o) => o.kind === 'Application' && o.metadata.name === 'shop-apps');
    expect(root.spec.source).toMatchObject({ path: 'argocd', directory: { include: '*.yaml' } });
  });

  test('THEN it prints one progress line per folder with objects, files and kinds', () => {
    expect(lines.map((l) => l.split(':')[0])).toEqual(['staging', 'production', 'argocd']);
    expect(lines[0]).toMatch(/^staging: 3 objects in 4 files \(ConfigMap ×1, Deployment ×1, Service ×1\), app 1\.5\.0, sha256:[0-9a-f]{12}$/);
  });

  test('THEN renderFolders returns the same folders without writing', () => {
    const target = path.join(tempDir('dry'), 'manifests');
    const folders = shopApp(target).renderFolders();
    expect(folders.map((f) => [f.name, f.objectCount, f.digest])).toEqual(['staging', 'production', 'argocd'].map((n) => [n, verifyFolder(path.join(out, n)).objects.length, verifyFolder(path.join(out, n)).digest]));
    expect(fs.existsSync(target)).toBe(false);
  });

  test('THEN an edited file no longer matches the index', () => {
    const copy = path.join(tempDir('edited'), 'staging');
    fs.cpSync(path.join(out, 'staging'), copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'web.yaml'), '# edited\n');
    expect(() => verifyFolder(copy)).toThrow(/content digest .* differs/);
    fs.writeFileSync(path.join(copy, 'extra.yaml'), 'kind: X\n');
    expect(() => verifyFolder(copy)).toThrow(/not listed: extra.yaml/);
  });
});

describe('GIVEN a previous render WHEN the next render fails or changes', () => {
  test('THEN a failed render leaves the previous render untouched and no temporary folder behind', () => {
    const out = path.join(tempDir('failed'), 'manifests');
    jest.spyOn(console, 'log').mockImplementation(() => {});
    shopApp(out).synth();
    const before = readTree(out);
    const app = shopApp(out);
    const broken = new Chart(app, 'broken', { namespace: 'shop-broken' });
    broken.node.addValidation({ validate: () => ['the broken chart is broken'] });
    expect(() => app.synth()).toThrow(/validation failed:\n  Chart 'broken': the broken chart is broken/);
    jest.restoreAllMocks();
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['manifests']);
  });

  test('THEN stale files and folders of the previous render never remain', () => {
    const target = path.join(tempDir('stale'), 'manifests');
    fs.mkdirSync(path.join(target, 'staging'), { recursive: true });
    fs.mkdirSync(path.join(target, 'retired'));
    fs.writeFileSync(path.join(target, 'staging', 'removed-component.yaml'), 'kind: Deployment\n');
    jest.spyOn(console, 'log').mockImplementation(() => {});
    shopApp(target).synth();
    jest.restoreAllMocks();
    expect(fs.readdirSync(target).sort()).toEqual(['argocd', 'production', 'staging']);
    expect(fs.existsSync(path.join(target, 'staging', 'removed-component.yaml'))).toBe(false);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['manifests']);
  });
});

describe('GIVEN the staging folder of k8s-topology render (K8S_TOPOLOGY_STAGING_DIR)', () => {
  afterEach(() => {
    delete process.env[STAGING_DIR_ENV];
    jest.restoreAllMocks();
  });

  test('WHEN the app renders into it THEN it writes straight into that folder, which the CLI alone swaps in', () => {
    const staging = path.join(tempDir('cli-staging'), '.manifests-render-x');
    fs.mkdirSync(staging);
    const inode = fs.statSync(staging).ino;
    process.env[STAGING_DIR_ENV] = staging;
    jest.spyOn(console, 'log').mockImplementation(() => {});
    shopApp(staging).synth();
    expect(fs.statSync(staging).ino).toBe(inode);
    expect(fs.readdirSync(path.dirname(staging))).toEqual(['.manifests-render-x']);
    const direct = readTree(staging);
    const swapped = path.join(tempDir('swapped'), 'manifests');
    delete process.env[STAGING_DIR_ENV];
    shopApp(swapped).synth();
    expect(direct).toEqual(readTree(swapped));
  });

  test('WHEN the app renders anywhere else, or the folder is not empty THEN it stages beside the output and swaps it in', () => {
    const out = path.join(tempDir('elsewhere'), 'manifests');
    fs.mkdirSync(out);
    jest.spyOn(console, 'log').mockImplementation(() => {});
    for (const named of [path.join(tempDir('other'), 'manifests'), out]) {
      fs.writeFileSync(path.join(out, 'stale.yaml'), 'kind: ConfigMap\n');
      const inode = fs.statSync(out).ino;
      process.env[STAGING_DIR_ENV] = named;
      shopApp(out).synth();
      expect(fs.statSync(out).ino).not.toBe(inode);
      expect(fs.existsSync(path.join(out, 'stale.yaml'))).toBe(false);
      expect(fs.readdirSync(path.dirname(out))).toEqual(['manifests']);
    }
  });
});

describe('GIVEN apps the render cannot take', () => {
  const out = () => path.join(tempDir('bad'), 'manifests');

  test('WHEN the app has no chart THEN it says there is nothing to render', () => {
    expect(() => new DeliveryApp({ ...SHOP_PROPS, outdir: out() }).synth()).toThrow(/defines no charts: nothing to render/);
  });

  test('WHEN the charts hold no object THEN it says so', () => {
    const app = new DeliveryApp({ ...SHOP_PROPS, outdir: out() });
    new Chart(app, 'empty');
    expect(() => app.synth()).toThrow(/synthesizes no objects/);
  });

  test('WHEN two charts render the same folder THEN both are named', () => {
    const app = new DeliveryApp({ ...SHOP_PROPS, outdir: out() });
    const a = new Chart(app, 'a');
    new Chart(a, 'b');
    new ApiObject(new Chart(app, 'a-b'), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(() => app.synth()).toThrow(/^Chart '(a\/b|a-b)': its folder name \(the chart id\) must be one no other chart renders \('(a-b|a\/b)' renders "a-b" too; give one of them another id\); got "a-b"$/);
  });

  test('WHEN a chart takes the Argo CD folder name THEN it is refused', () => {
    const app = shopApp(out(), SHOP_PROPS, [['argocd', '1.0.0']]);
    expect(() => app.synth()).toThrow(/^Chart 'argocd': its folder name \(the chart id\) must be another name than "argocd" \(reserved for the Argo CD objects\); got "argocd"$/);
  });

  test('WHEN a chart id is not a folder name THEN it is refused', () => {
    const app = shopApp(out(), SHOP_PROPS, [['Staging', '1.0.0']]);
    expect(() => app.synth()).toThrow(/^Chart 'Staging': its folder name \(the chart id\) must be lowercase letters, digits, "-" and "\." \(use a lowercase chart id\); got "Staging"$/);
  });

  test('WHEN only the package name is given THEN the version is asked for', () => {
    expect(() => shopApp(out(), { packageName: '@shop/deploy' }).synth()).toThrow(/^DeliveryApp: packageName and packageVersion must be set together; got {"packageName":"@shop\/deploy"}$/);
  });

  test('WHEN the folders belong to several apps THEN the Argo CD project must be named', () => {
    const app = shopApp(out());
    new ApiObject(new Chart(app, 'other', { namespace: 'other', labels: { 'app.kubernetes.io/part-of': 'blog' } }), 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
    expect(() => app.synth()).toThrow(/^DeliveryApp: argoCd\.project must be set: the rendered folders belong to several apps \(blog, shop\)$/);
  });

  test('WHEN there is no repository URL THEN the Argo CD folder asks for one', () => {
    expect(() => shopApp(out(), { ...SHOP_PROPS, repoUrl: undefined }).synth()).toThrow(/^DeliveryApp: argoCd\.repoUrl must be set: the package has no repository URL for the Applications to read$/);
  });
});

describe('stampVersions and progressLine', () => {
  test('GIVEN an object without a version label THEN it gets the folder version, and is reported', () => {
    const objects: any[] = [{ kind: 'PriorityClass', metadata: { name: 'p' } }, { kind: 'Service', metadata: { name: 's', labels: { 'app.kubernetes.io/version': '9' } } }];
    expect(stampVersions(objects, '1.2.3', SHOP)).toEqual(['PriorityClass p']);
    expect(objects[0].metadata.labels['app.kubernetes.io/version']).toBe('1.2.3');
    expect(objects[1].metadata.labels['app.kubernetes.io/version']).toBe('9');
    expect(objects[0].metadata.annotations).toEqual({ 'shop.example.com/deploy-version': '2.3.4' });
  });

  test('GIVEN labels had to be added THEN the progress line names them', () => {
    const folder = { name: 'x', objects: [{ kind: 'A' }], files: [], index: { appVersions: ['1'], digest: 'sha256:0123456789abcdef' } as any, versionAdded: ['PriorityClass p'] };
    expect(progressLine(folder)).toContain('version label added to 1 unlabelled: PriorityClass p');
  });
});
