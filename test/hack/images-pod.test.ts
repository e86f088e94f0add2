// hack/images/pod.js: the image references of a render, and the runc config made from a rendered
// container (what the images suite runs). Needs only npm packages: it writes files, starts nothing.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as pod from '../../hack/images/pod';

const MANIFEST = `
apiVersion: v1
kind: ConfigMap
metadata: { name: edge-nginx }
data:
  nginx.conf: "events {}\\n"
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  template:
    spec:
      securityContext: { runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001 }
      initContainers:
        - name: init
          image: registry.example.com/shop/api:1.4.0
      containers:
        - name: web
          image: registry.example.com/shop/api:1.4.0
          command: [gunicorn, shop.wsgi:application, "--bind=$(BIND)"]
          env:
            - { name: ADDRESS, valueFrom: { secretKeyRef: { name: shop-broker, key: redis-address } } }
            - { name: BROKER, value: "redis://$(ADDRESS)/0" }
            - { name: BIND, value: "0.0.0.0:8000" }
            - { name: LITERAL, value: "$$(ADDRESS)" }
          securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false }
          volumeMounts:
            - { name: tmp, mountPath: /tmp }
            - { name: config, mountPath: /etc/nginx/edge, readOnly: true }
      volumes:
        - { name: tmp, emptyDir: { sizeLimit: 64Mi } }
        - { name: config, configMap: { name: edge-nginx } }
---
apiVersion: batch/v1
kind: CronJob
metadata: { name: nightly }
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers:
            - { name: nightly, image: "docker.io/library/busybox:1" }
`;

// What `umoci unpack` writes, reduced to the fields pod.js reads or replaces.
const IMAGE_CONFIG = {
  ociVersion: '1.0.0',
  process: { terminal: true, user: { uid: 0, gid: 0 }, args: ['sh'], env: ['PATH=/usr/local/bin:/usr/bin:/bin', 'BIND=image'], cwd: '/app', oomScoreAdj: 0 },
  root: { path: 'rootfs' },
  linux: { resources: { devices: [] }, namespaces: [{ type: 'network' }] },
};

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'images-pod-'));
  fs.mkdirSync(path.join(dir, 'manifests'));
  fs.writeFileSync(path.join(dir, 'manifests', 'web.yaml'), MANIFEST);
  fs.mkdirSync(path.join(dir, 'image'));
  fs.writeFileSync(path.join(dir, 'image', 'config.json'), JSON.stringify(IMAGE_CONFIG));
  fs.writeFileSync(path.join(dir, 'values.json'), JSON.stringify({
    secrets: { 'shop-broker/redis-address': '127.0.0.1:6379' },
    hosts: '127.0.0.1 localhost backend\n',
  }));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const bundleOf = (workload = 'web', container = 'web') => {
  const out = path.join(dir, 'c', container);
  pod.bundle(path.join(dir, 'manifests', 'web.yaml'), workload, container, path.join(dir, 'image'), out,
    '/var/run/netns/test', path.join(dir, 'values.json'));
  return { out, config: JSON.parse(fs.readFileSync(path.join(out, 'config.json'), 'utf8')) };
};

test('images: every container and init container of every workload, each once, sorted', () => {
  expect(pod.images(path.join(dir, 'manifests'))).toEqual([
    'docker.io/library/busybox:1',
    'registry.example.com/shop/api:1.4.0',
  ]);
});

test('images: a folder without workloads is an error that says to render first', () => {
  fs.rmSync(path.join(dir, 'manifests', 'web.yaml'));
  expect(() => pod.images(path.join(dir, 'manifests'))).toThrow(/no container image in .* \(render first/);
});

test('bundle: the render\'s command and env, expanded as the kubelet does, over the image\'s env', () => {
  const { config } = bundleOf();
  expect(config.process.args).toEqual(['gunicorn', 'shop.wsgi:application', '--bind=0.0.0.0:8000']);
  expect(config.process.env).toEqual(expect.arrayContaining([
    'PATH=/usr/local/bin:/usr/bin:/bin',
    'ADDRESS=127.0.0.1:6379',
    'BROKER=redis://127.0.0.1:6379/0',
    'BIND=0.0.0.0:8000',
    'LITERAL=$(ADDRESS)',
  ]));
  expect(config.process.cwd).toBe('/app');
  expect(config.process.terminal).toBe(false);
});

test('bundle: the uid, a read-only shared root, no capabilities, no oomScoreAdj, the suite\'s netns', () => {
  const { config } = bundleOf();
  expect(config.process.user).toEqual({ uid: 10001, gid: 10001, additionalGids: [10001] });
  expect(config.root).toEqual({ path: path.join(dir, 'image', 'rootfs'), readonly: true });
  expect(config.process.capabilities.bounding).toEqual([]);
  expect(config.process.noNewPrivileges).toBe(true);
  expect(config.process).not.toHaveProperty('oomScoreAdj');
  expect(config.linux.namespaces).toContainEqual({ type: 'network', path: '/var/run/netns/test' });
  expect(config.linux).not.toHaveProperty('resources');
});

test('bundle: an emptyDir is a tmpfs of its sizeLimit, a ConfigMap its data read-only, /etc/hosts the suite\'s', () => {
  const { out, config } = bundleOf();
  const mount = (destination: string) => config.mounts.find((m: { destination: string }) => m.destination === destination);
  expect(mount('/tmp')).toMatchObject({ type: 'tmpfs', options: expect.arrayContaining(['size=64m']) });
  expect(mount('/etc/nginx/edge')).toMatchObject({ type: 'bind', options: ['rbind', 'ro'] });
  expect(fs.readFileSync(path.join(mount('/etc/nginx/edge').source, 'nginx.conf'), 'utf8')).toBe('events {}\n');
  expect(fs.readFileSync(mount('/etc/hosts').source, 'utf8')).toBe('127.0.0.1 localhost backend\n');
  expect(mount('/etc/hosts').source.startsWith(out)).toBe(true);
});

// A Logstash-like container: no command in the render (the image's runs), a ConfigMap's items, subPath files.
const IMAGE_COMMAND_MANIFEST = `
apiVersion: v1
kind: ConfigMap
metadata: { name: pipeline }
data: { logstash.yml: "a: 1\\n", usage.conf: "input {}\\n", unused.json: "{}" }
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: shipper }
spec:
  template:
    spec:
      securityContext: { runAsUser: 10001 }
      containers:
        - name: shipper
          image: docker.elastic.co/logstash/logstash:8.15.3
          securityContext: { readOnlyRootFilesystem: true }
          volumeMounts:
            - { name: config, mountPath: /usr/share/logstash/config/logstash.yml, subPath: logstash.yml, readOnly: true }
            - { name: pipeline, mountPath: /usr/share/logstash/pipeline, readOnly: true }
      volumes:
        - { name: config, configMap: { name: pipeline, items: [{ key: logstash.yml, path: logstash.yml }] } }
        - { name: pipeline, configMap: { name: pipeline, items: [{ key: usage.conf, path: usage.conf }] } }
`;

test('bundle: without a command the image\'s own runs; a ConfigMap\'s items, a subPath as its one file', () => {
  fs.writeFileSync(path.join(dir, 'manifests', 'web.yaml'), IMAGE_COMMAND_MANIFEST);
  const { config } = bundleOf('shipper', 'shipper');
  expect(config.process.args).toEqual(['sh']);
  const mount = (destination: string) => config.mounts.find((m: { destination: string }) => m.destination === destination);
  const file = mount('/usr/share/logstash/config/logstash.yml');
  expect(file).toMatchObject({ type: 'bind', options: ['rbind', 'ro'] });
  expect(fs.readFileSync(file.source, 'utf8')).toBe('a: 1\n');
  expect(fs.readdirSync(mount('/usr/share/logstash/pipeline').source)).toEqual(['usage.conf']);
});

test('bundle: a missing item key, a subPath outside the volume, args without a command fail, naming them', () => {
  const write = (text: string) => fs.writeFileSync(path.join(dir, 'manifests', 'web.yaml'), text);
  write(IMAGE_COMMAND_MANIFEST.replace('key: usage.conf, path', 'key: nope.conf, path'));
  expect(() => bundleOf('shipper', 'shipper')).toThrow(/ConfigMap pipeline has no key 'nope.conf' \(it has logstash.yml, usage.conf, unused.json\)/);
  write(IMAGE_COMMAND_MANIFEST.replace('subPath: logstash.yml', 'subPath: other.yml'));
  expect(() => bundleOf('shipper', 'shipper')).toThrow(/subPath 'other.yml' is not in the volume \(it has logstash.yml\)/);
  write(IMAGE_COMMAND_MANIFEST.replace('securityContext: { readOnlyRootFilesystem: true }', 'securityContext: { readOnlyRootFilesystem: true }\n          args: [x]'));
  expect(() => bundleOf('shipper', 'shipper')).toThrow(/args without a command/);
});

test('bundle: a Secret key the values do not give fails, naming it', () => {
  fs.writeFileSync(path.join(dir, 'values.json'), JSON.stringify({ secrets: {} }));
  expect(() => bundleOf()).toThrow(/ADDRESS reads Secret key shop-broker\/redis-address/);
});

test('bundle: an unknown workload or container fails, naming what there is', () => {
  expect(() => bundleOf('nope')).toThrow(/no workload named 'nope'/);
  expect(() => bundleOf('web', 'nope')).toThrow(/no container 'nope' \(it has web\)/);
});

test('bundle: a container without a read-only root is refused, not patched', () => {
  fs.writeFileSync(path.join(dir, 'manifests', 'web.yaml'), MANIFEST.replace('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'));
  expect(() => bundleOf()).toThrow(/readOnlyRootFilesystem is not true/);
});

test('tmpfsSize: Kubernetes quantities in Ki, Mi, Gi; anything else is an error', () => {
  expect(pod.tmpfsSize('256Mi')).toBe('256m');
  expect(pod.tmpfsSize('1Gi')).toBe('1g');
  expect(pod.tmpfsSize(undefined)).toBe('256m');
  expect(() => pod.tmpfsSize('1G')).toThrow(/sizeLimit 1G: expected/);
});

test('expand: $(VAR) of known variables, $$ as a literal $, unknown references kept', () => {
  expect(pod.expand('$(A)-$(B)-$$(A)', { A: 'a' })).toBe('a-$(B)-$(A)');
});
