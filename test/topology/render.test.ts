import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { readTree, tempDir } from './helpers';
import { ENVIRONMENTS, TEST } from '../../src/topology/environments';
import { PACKAGE_VERSION_ANNOTATION, packageInfo } from '../../src/topology/package-info';
import { progressLine, renderAll, stampVersions } from '../../src/topology/render';
import { verifyFolder } from '../../src/topology/render-index';

const pkg = packageInfo();
const FOLDERS = ['argocd', 'production', 'staging', 'test'];

describe('renderAll', () => {
  let out: string;
  let lines: string[];
  beforeAll(() => {
    out = path.join(tempDir('render'), 'manifests');
    lines = [];
    renderAll(ENVIRONMENTS, out, (l) => lines.push(l), { argoCd: true });
  });

  test('two renders of the same code are byte-identical', () => {
    const again = path.join(tempDir('render-again'), 'manifests');
    renderAll(ENVIRONMENTS, again, undefined, { argoCd: true });
    const a = readTree(out);
    const b = readTree(again);
    expect(Object.keys(b).sort()).toEqual(Object.keys(a).sort());
    for (const file of Object.keys(a)) expect({ file, content: b[file] }).toEqual({ file, content: a[file] });
  });

  test('writes one folder per environment plus the Argo CD folder, each with an index that matches its files', () => {
    expect(fs.readdirSync(out).sort()).toEqual(FOLDERS);
    for (const folder of FOLDERS) {
      const index = verifyFolder(path.join(out, folder));
      const yamlObjects = fs.readdirSync(path.join(out, folder)).filter((f) => f.endsWith('.yaml'))
        .flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(out, folder, f), 'utf8')).map((d) => ({ file: f, obj: d.toJS() })));
      expect(index.objects.length).toBe(yamlObjects.length);
      for (const { file, obj } of yamlObjects) {
        expect(index.objects).toContainEqual(expect.objectContaining({ kind: obj.kind, name: obj.metadata.name, file }));
      }
      expect(index.package).toEqual({ name: pkg.name, version: pkg.version });
    }
  });

  test('every object carries the app version label and the package version annotation', () => {
    for (const folder of FOLDERS) {
      for (const f of fs.readdirSync(path.join(out, folder)).filter((n) => n.endsWith('.yaml'))) {
        for (const doc of parseAllDocuments(fs.readFileSync(path.join(out, folder, f), 'utf8'))) {
          const obj = doc.toJS();
          const where = `${folder}/${f} ${obj.kind} ${obj.metadata.name}`;
          expect({ where, version: obj.metadata.labels?.['app.kubernetes.io/version'] }).toEqual({ where, version: expect.stringMatching(/^[0-9]/) });
          expect({ where, annotation: obj.metadata.annotations?.[PACKAGE_VERSION_ANNOTATION] }).toEqual({ where, annotation: pkg.version });
        }
      }
    }
    const testIndex = verifyFolder(path.join(out, 'test'));
    expect(testIndex.appVersions).toEqual([TEST.appVersion]);
  });

  test('an object without a version label gets the environment version, and is reported', () => {
    const objects: any[] = [{ kind: 'PriorityClass', metadata: { name: 'p' } }, { kind: 'Service', metadata: { name: 's', labels: { 'app.kubernetes.io/version': '9' } } }];
    expect(stampVersions(objects, '1.2.3', pkg)).toEqual(['PriorityClass p']);
    expect(objects[0].metadata.labels['app.kubernetes.io/version']).toBe('1.2.3');
    expect(objects[1].metadata.labels['app.kubernetes.io/version']).toBe('9');
  });

  test('prints one progress line per folder with objects, files and kinds', () => {
    expect(lines.map((l) => l.split(':')[0])).toEqual(['test', 'staging', 'production', 'argocd']);
    expect(lines[0]).toMatch(/^test: \d+ objects in \d+ files \(.*Deployment ×\d+.*\), app 2026\.\d+\.\d+, sha256:[0-9a-f]{12}/);
  });

  test('each environment README has a Mermaid topology and a capacity table with totals', () => {
    const readme = fs.readFileSync(path.join(out, 'production', 'README.md'), 'utf8');
    expect(readme).toContain('```mermaid\nflowchart LR');
    expect(readme).toContain('c_backend -->|":5672 AMQP"| x_cidr_10_10_4_0_24');
    expect(readme).toContain('x_namespace_ingress_nginx -->|":8080"| c_edge');
    expect(readme).toMatch(/\| backend \| Deployment\/backend \| HPA \| 3–20 \| 1 \| 2Gi \| 3 \| 6Gi \| 20 \| 40Gi \|/);
    expect(readme).toMatch(/\| \*\*total\*\* \|/);
  });

  test('an edited file no longer matches the index', () => {
    const copy = path.join(tempDir('edited'), 'test');
    fs.cpSync(path.join(out, 'test'), copy, { recursive: true });
    fs.appendFileSync(path.join(copy, 'backend.yaml'), '# edited\n');
    expect(() => verifyFolder(copy)).toThrow(/content digest .* differs/);
    fs.writeFileSync(path.join(copy, 'extra.yaml'), 'kind: X\n');
    expect(() => verifyFolder(copy)).toThrow(/not listed: extra.yaml/);
  });

  test('a failed render leaves the previous render untouched and no temporary folder behind', () => {
    const before = readTree(out);
    const broken = { ...TEST, name: 'broken', backend: { ...TEST.backend, minReplicas: 5, maxReplicas: 2 } };
    expect(() => renderAll([...ENVIRONMENTS, broken], out, undefined, { argoCd: true })).toThrow(/minReplicas/);
    expect(readTree(out)).toEqual(before);
    expect(fs.readdirSync(path.dirname(out))).toEqual(['manifests']);
    expect(lines.length).toBe(4);
  });

  test('stale files and folders of a previous render never remain', () => {
    const target = path.join(tempDir('stale'), 'manifests');
    fs.mkdirSync(path.join(target, 'test'), { recursive: true });
    fs.mkdirSync(path.join(target, 'retired-environment'));
    fs.writeFileSync(path.join(target, 'test', 'removed-component.yaml'), 'kind: Deployment\n');
    fs.writeFileSync(path.join(target, 'retired-environment', 'backend.yaml'), 'kind: Deployment\n');
    renderAll(ENVIRONMENTS, target, undefined, { argoCd: true });
    expect(fs.readdirSync(target).sort()).toEqual(FOLDERS);
    expect(fs.existsSync(path.join(target, 'test', 'removed-component.yaml'))).toBe(false);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['manifests']);
  });

  test('the progress line names version labels that had to be added', () => {
    const env = { name: 'x', objects: [{ kind: 'A' }], files: [], index: { appVersions: ['1'], digest: 'sha256:0123456789abcdef' } as any, versionAdded: ['PriorityClass p'] };
    expect(progressLine(env)).toContain('version label added to 1 unlabelled: PriorityClass p');
  });

  test('the Argo CD folder is rendered on request, and no environment may take its name', () => {
    expect(() => renderAll([{ ...TEST, name: 'argocd' }], path.join(tempDir('reserved'), 'm'), undefined, { argoCd: true })).toThrow(/reserved "argocd"/);
    const plain = path.join(tempDir('plain'), 'm');
    renderAll([TEST], plain);
    expect(fs.readdirSync(plain)).toEqual(['test']);
  });
});
