import { Yaml } from 'cdk8s';
import { parseAllDocuments } from 'yaml';
import { FolderOnDisk } from './render';

function parse(text: string, version: '1.1' | '1.2'): unknown[] {
  return parseAllDocuments(text, { version }).map((doc) => {
    expect(doc.errors).toEqual([]);
    return doc.toJS();
  });
}

const identity = (o: { apiVersion: string; kind: string; namespace?: string; name: string }) => [o.apiVersion, o.kind, o.namespace ?? '', o.name].join(' ');

/**
 * Checks every YAML file of a render as it was written: it holds exactly the objects its folder's
 * index places in it, reads back the same as YAML 1.1 and as YAML 1.2, and is byte for byte what
 * cdk8s's `Yaml.stringify` writes for those objects.
 */
export function checkYamlFiles(folders: FolderOnDisk[]): void {
  const files = folders.flatMap((folder) => folder.files.filter((f) => f.name.endsWith('.yaml')).map((file) => ({ folder, file })));

  test('THEN there are YAML files, and each holds exactly the objects the index places in it', () => {
    expect(files.length).toBeGreaterThan(0);
    for (const { folder, file } of files) {
      const listed = folder.index.objects.filter((o) => o.file === file.name).map(identity).sort();
      const written = parse(file.content, '1.1').map((o: any) => identity({ apiVersion: o.apiVersion, kind: o.kind, namespace: o.metadata?.namespace, name: o.metadata?.name }));
      expect([`${folder.name}/${file.name}`, written.sort()]).toEqual([`${folder.name}/${file.name}`, listed]);
      expect(listed.length).toBeGreaterThan(0);
    }
  });

  test.each(files.map(({ folder, file }) => [`${folder.name}/${file.name}`, file.content] as const))(
    'WHEN %s is parsed back as YAML 1.1 and 1.2 THEN both read the same objects, and Yaml.stringify writes them back byte for byte',
    (_name, content) => {
      const objects = parse(content, '1.1');
      expect(parse(content, '1.2')).toEqual(objects);
      expect(content).toBe(Yaml.stringify(...objects));
    },
  );
}
