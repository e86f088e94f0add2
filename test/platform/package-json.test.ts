import * as fs from 'fs';
import * as path from 'path';
import { libraryPackage, LIBRARY_PACKAGE_JSON } from '../../src/cli/library-package';
import { readProjectConfig } from '../../src/delivery/project-config';
import { ValidationError } from '../../src/platform/errors';
import { readPackageJson } from '../../src/platform/package-json';
import { tempDir } from '../delivery/helpers';

function packageFile(content: string): string {
  const file = path.join(tempDir('package-json'), 'package.json');
  fs.writeFileSync(file, content);
  return file;
}

describe('readPackageJson', () => {
  test('GIVEN a package.json THEN its fields are returned as the file writes them, with the file', () => {
    const file = packageFile(JSON.stringify({ name: '@shop/deploy', version: 1.4, bin: { tsc: './bin/tsc' }, k8sTopology: { gitAuthor: 'a <a@b>' }, scripts: {} }));
    expect(readPackageJson(file)).toEqual({
      file, name: '@shop/deploy', version: 1.4, repoUrl: undefined, bin: { tsc: './bin/tsc' }, k8sTopology: { gitAuthor: 'a <a@b>' },
    });
  });

  test.each([
    ['the string form', 'https://git.example.com/shop.git', 'https://git.example.com/shop.git'],
    ['the object form', { type: 'git', url: 'https://git.example.com/shop.git' }, 'https://git.example.com/shop.git'],
    ['neither', 42, undefined],
  ])('GIVEN a repository in %s THEN repoUrl is its URL', (_form, repository, url) => {
    expect(readPackageJson(packageFile(JSON.stringify({ repository })))!.repoUrl).toBe(url);
  });

  test('GIVEN no file THEN there is no package.json, and no error', () => {
    expect(readPackageJson(path.join(tempDir('package-json'), 'package.json'))).toBeUndefined();
  });

  test('GIVEN a file that is not valid JSON THEN the error names the file and what the parser found', () => {
    const file = packageFile('{ "name": ');
    expect(() => readPackageJson(file)).toThrow(new RegExp(`^${file.replace(/[.\\/]/g, '\\$&')}: not valid JSON \\(.+\\)$`));
  });

  test.each(['[]', 'null', '"shop"'])('GIVEN JSON that is not an object (%s) THEN a ValidationError names the file and what is accepted', (content) => {
    const file = packageFile(content);
    expect(() => readPackageJson(file)).toThrow(ValidationError);
    expect(() => readPackageJson(file)).toThrow(`${file}: the file must be a JSON object such as { "name": "shop-deploy", "version": "1.4.0" }; got ${content}`);
  });

  test('GIVEN the project settings of a broken package.json THEN the error names the file (it was a bare SyntaxError)', () => {
    const file = packageFile('{');
    expect(() => readProjectConfig(path.dirname(file))).toThrow(`${file}: not valid JSON`);
  });

  test("GIVEN this library's own package.json THEN the CLI's name and version are its name and version", () => {
    const own = JSON.parse(fs.readFileSync(LIBRARY_PACKAGE_JSON, 'utf8'));
    expect(libraryPackage()).toEqual({ name: own.name, version: own.version });
  });
});
