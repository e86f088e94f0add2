import * as fs from 'fs';
import * as path from 'path';
import { readCdk8sYaml } from '../../src/cli/project';
import { ValidationError } from '../../src/platform/errors';
import { tempDir } from '../delivery/helpers';

function project(yaml: string): string {
  const dir = tempDir('cdk8s-yaml');
  fs.writeFileSync(path.join(dir, 'cdk8s.yaml'), yaml);
  return dir;
}

describe('readCdk8sYaml', () => {
  test.each([
    ['app: ""\n', /cdk8s\.yaml: "app" must be the command that runs the app, e\.g\. "node main\.js"; got ""$/],
    ['app: node main.js\noutput: [a]\n', /cdk8s\.yaml: "output" must be a folder; got \["a"\]$/],
    ['- app\n', /cdk8s\.yaml: the file must be a mapping with "app" and "output"; got \["app"\]$/],
  ])('GIVEN cdk8s.yaml %j THEN a ValidationError names the file, the field and what is accepted', (yaml, message) => {
    const dir = project(yaml);
    expect(() => readCdk8sYaml(dir)).toThrow(ValidationError);
    expect(() => readCdk8sYaml(dir)).toThrow(message);
  });

  test('GIVEN a valid cdk8s.yaml THEN app and output are read, output defaulting to dist/manifests', () => {
    expect(readCdk8sYaml(project('app: node main.js\n'))).toEqual({ app: 'node main.js', output: 'dist/manifests' });
  });
});
