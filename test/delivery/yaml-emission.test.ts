import { ApiObject, Chart, Yaml } from 'cdk8s';
import { Construct } from 'constructs';
import { parseAllDocuments } from 'yaml';
import { shopApp } from './shop-fixture';
import { toYaml } from '../../src/delivery/render';
import { FolderOnDisk, synthAndRead, tempOutdir } from '../support/render';
import { checkYamlFiles } from '../support/yaml-files';

function parse(text: string, version: '1.1' | '1.2'): unknown[] {
  return parseAllDocuments(text, { version }).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

/** The shop's two charts and the Argo CD folder, plus a chart of objects whose strings need quoting and block scalars. */
function renderShop(): FolderOnDisk[] {
  const app = shopApp(tempOutdir('yaml-emission'));
  const chart = new Chart(app, 'edge', { namespace: 'shop-edge', disableResourceNameHashes: true, labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': '1.0.0' } });
  const component = new Construct(chart, 'proxy');
  new ApiObject(component, 'config', {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'proxy-config', labels: { 'app.kubernetes.io/component': 'proxy' }, annotations: { 'example.com/note': 'yes: a "quoted" note #1' } },
    data: {
      'nginx.conf': 'server {\n    listen 8080;\n\n    location / {\n        return 204;\n    }\n}\n',
      'start.sh': '#!/bin/sh\nexec nginx -g "daemon off;"\n',
      'ENABLED': 'true',
      'PORT': '8080',
      'RATIO': '1.5',
      'EMPTY': '',
      'TIME': '1:20',
      'LIST': '- a',
      'KEYLIKE': 'a: b',
    },
  });
  new ApiObject(component, 'limits', {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: 'proxy-limits', labels: { 'app.kubernetes.io/component': 'proxy' } },
    spec: { limits: [{ type: 'Container', default: { cpu: '500m', memory: '1Gi' }, max: { cpu: 2 } }, { type: 'Pod', max: {} }] },
  });
  return synthAndRead(app);
}

describe('GIVEN every folder of a consumer app\'s render (its charts and the Argo CD folder)', () => {
  const folders = renderShop();

  test('THEN every chart and the Argo CD folder were written, multi-line strings as literal block scalars', () => {
    expect(folders.map((f) => f.name)).toEqual(['argocd', 'edge', 'production', 'staging']);
    const proxy = folders.find((f) => f.name === 'edge')!.files.find((f) => f.name === 'proxy.yaml')!;
    expect(proxy.content).toMatch(/\n {2}nginx\.conf: \|\n {4}server \{\n {8}listen 8080;\n\n/);
  });

  checkYamlFiles(folders);
});

/** Strings that need every rule of plain, quoted and block scalars, as values and as keys. */
const STRINGS = [
  '', ' ', 'a', 'plain-value_1.2/x', 'yes', 'Yes', 'YES', 'no', 'No', 'on', 'On', 'ON', 'off', 'OFF', 'y', 'Y', 'n', 'N',
  'true', 'True', 'TRUE', 'false', 'FALSE', '~', 'null', 'Null', 'NULL', '0', '-1', '+1', '012', '08', '0o12', '0x1F', '0b101',
  '1_000', '1.5', '.5', '5.', '1e3', 'e3', 'E-3', 'e', '-.inf', '.Inf', '.NaN', '.nan', '1:20', '1:20.5', '190:20:30', '2001-12-14',
  '2001-12-14t21:59:43.10-05:00', '2001-12-14 21:59:43.10 -5', '2026.11.3', '10.60.1.0/24', '500m', '1Gi', '<<', '<', '=', '-', '?',
  '- a', '? a', ':', 'a:', 'a: b', 'a:b', 'http://x:80/', 'a #b', 'a#b', '#a', '&a', '*a', '!a', '|', '>', "'", '"', '%', '@', '`', ',',
  '[', ']', '{', '}', 'a, b', 'a ', ' a', '\ta', 'a\tb', '---', '--- a', '...', '%YAML 1.1', 'a\nb', 'a\n', 'a\n\n', 'a\n\n\n', '\na',
  '\n\na', ' a\nb', '  a\n b\n', 'a\n b', 'a \nb', 'a\n ', 'a\n\t', '\n', '\n\n', 'a\r\nb', 'a\x01', 'a\x7f', 'a\u0085b', 'é', '日本',
  '😀', 'a\u2028b', '\u00a0', '\ufeffa', "it's", 'say "hi"', 'both \' and "', 'a\n---\nb\n', 'a\n...\n', '#!/bin/sh\nexit 0\n',
  'key: value\nother: x', '- item\n- item2\n', 'x'.repeat(1100), 'server {\n    listen 8080;\n\n    location / {\n        return 204;\n    }\n}\n',
];

describe('GIVEN values of every kind WHEN toYaml writes them THEN it writes what cdk8s\'s Yaml.stringify writes', () => {
  const same = (...docs: unknown[]) => expect(toYaml(docs)).toBe(Yaml.stringify(...docs));

  test.each(STRINGS.map((s) => [JSON.stringify(s).slice(0, 60), s]))('the string %s as a value, an item and a key, at several depths', (_name, s) => {
    same({ value: s, nested: { deeper: { value: s } }, list: [s, [s], { item: s }] });
    same({ [s]: 'v' });
    same({ nested: { [s]: 1, deeper: { [s]: [s] } } });
  });

  test('numbers, booleans, null, undefined and empty collections', () => {
    same({ n: [0, -0, 1, -1, 1.5, 1e21, 1e-7, 2 ** 53, 0.1 + 0.2, -273.15], b: [true, false], z: null, u: undefined, list: [undefined, null] });
    same({ empty: {}, none: [], items: [{}, [], [[]], [{}]], deep: { a: { b: { c: [] } } } });
    same({});
    same({ nan: NaN, inf: Infinity, minus: -Infinity });
  });

  test('sequences of sequences and mappings, and block scalars inside them', () => {
    same({ a: [[1, 2], [[3]], [{ k: 'v', l: ['x', 'y\nz\n'] }], 'multi\nline', { m: 'multi\nline\n' }] });
  });

  test('several documents, an undefined one among them', () => {
    same({ a: 1 }, undefined, { b: 2 }, null, 'text', [1, 2]);
  });

  test('what plain JSON never holds: shared objects, dates, class instances, Maps, objects with toJSON or without prototype', () => {
    const shared = { k: 'v' };
    same({ a: shared, b: shared });
    const list = [1];
    same({ a: list, b: { c: list } });
    same({ when: new Date(0) });
    same({ map: new Map([['a', 1]]) });
    class Point { constructor(public readonly x: number) {} }
    same({ point: new Point(1) });
    same({ custom: { toJSON: () => 'x' } });
    same({ bare: Object.assign(Object.create(null), { a: 1 }) });
    same({ big: BigInt(12) });
  });

  // cdk8s writes YAML 1.1, which the Kubernetes tools read. A YAML 1.2 reader also gets the same strings
  // back, except for 1.2's own octal form (`0o12`), which 1.1 does not know and cdk8s leaves plain.
  test('the fast path and the rules it reproduces read back as the same strings', () => {
    const keys = STRINGS.filter((s) => s !== '<<' && !/[\x00-\x1f\x7f-\x9f\u2028]/.test(s));
    const doc = (strings: string[]) => ({ values: strings, keys: Object.fromEntries(strings.filter((s) => keys.includes(s)).map((s, i) => [s, i])) });
    expect(parse(toYaml([doc(STRINGS)]), '1.1')).toEqual([doc(STRINGS)]);
    const for12 = STRINGS.filter((s) => !/^0o/.test(s));
    expect(parse(toYaml([doc(for12)]), '1.2')).toEqual([doc(for12)]);
  });
});
