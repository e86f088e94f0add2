import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { RenderedFolderOutput, toYaml } from '../../src/delivery/render';
import { renderPicvario } from '../picvario/render-picvario';

/** The objects of one rendered file, in the order the render wrote them. */
function objectsOfFile(folder: RenderedFolderOutput, file: string): any[] {
  const key = (o: { apiVersion: string; kind: string; namespace?: string; name: string }) => [o.apiVersion, o.kind, o.namespace ?? '', o.name].join('\u0000');
  const fileOf = new Map(folder.index.objects.map((e) => [key(e), e.file]));
  const keyOf = (o: any) => key({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name });
  return folder.objects.filter((o) => fileOf.get(keyOf(o)) === file);
}

function parse(text: string, version: '1.1' | '1.2'): unknown[] {
  return parseAllDocuments(text, { version }).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

describe('GIVEN every folder of the Picvario render (every environment and the Argo CD folder)', () => {
  const folders = renderPicvario();
  const files = folders.flatMap((folder) => folder.files.filter((f) => f.name.endsWith('.yaml')).map((file) => ({ folder, file })));

  test('THEN there are files to check, and every object is in one of them', () => {
    expect(folders.map((f) => f.name)).toEqual(['test', 'staging', 'production', 'argocd']);
    for (const folder of folders) {
      const yamlFiles = folder.files.filter((f) => f.name.endsWith('.yaml'));
      expect(yamlFiles.reduce((n, f) => n + objectsOfFile(folder, f.name).length, 0)).toBe(folder.objects.length);
    }
  });

  test.each(files.map(({ folder, file }) => [`${folder.name}/${file.name}`, folder, file] as const))(
    'WHEN %s is parsed back, as YAML 1.1 and as YAML 1.2, THEN it holds exactly the objects the render wrote into it',
    (_name, folder, file) => {
      const objects = objectsOfFile(folder, file.name);
      expect(objects.length).toBeGreaterThan(0);
      expect(parse(file.content, '1.1')).toEqual(objects);
      expect(parse(file.content, '1.2')).toEqual(objects);
    },
  );

  test.each(files.map(({ folder, file }) => [`${folder.name}/${file.name}`, folder, file] as const))(
    'WHEN %s is compared with what cdk8s\'s Yaml.stringify writes for its objects THEN the bytes are the same',
    (_name, folder, file) => {
      expect(file.content).toBe(Yaml.stringify(...objectsOfFile(folder, file.name)));
    },
  );

  test('THEN multi-line strings stay literal block scalars (nginx.conf)', () => {
    const edge = folders.find((f) => f.name === 'production')!.files.find((f) => f.name === 'edge.yaml')!;
    expect(edge.content).toMatch(/\n {2}nginx\.conf: \|\n {4}# Rendered by /);
  });
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
