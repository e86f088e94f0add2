import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './helpers';
import { readProjectConfig } from '../../src/delivery/project-config';
import { Provenance } from '../../src/delivery/provenance';
import { ValidationError } from '../../src/platform/errors';

function project(files: Record<string, string>): string {
  const dir = tempDir('project');
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}

describe('Provenance', () => {
  test('GIVEN a package.json THEN name, version, repository and the annotation domain come from it', () => {
    const dir = project({
      'package.json': JSON.stringify({ name: '@shop/deploy', version: '1.4.0', repository: { url: 'https://git.example.com/shop.git' }, k8sTopology: { annotationDomain: 'shop.example.com' } }),
    });
    const p = Provenance.fromProject(dir);
    expect([p.packageName, p.packageVersion, p.repoUrl, p.annotationKey]).toEqual(['@shop/deploy', '1.4.0', 'https://git.example.com/shop.git', 'shop.example.com/deploy-version']);
  });

  test.each([
    [{ packageName: 'Shop Deploy', packageVersion: '1.0.0' }, /^DeliveryApp: packageName must be a package name such as "shop-deploy" or "@shop\/deploy"; got "Shop Deploy"$/],
    [{ packageName: 'shop-deploy', packageVersion: '1.0 rc' }, /^DeliveryApp: packageVersion must be a version such as "1\.4\.0"; got "1\.0 rc"$/],
    [{ packageName: 'shop-deploy', packageVersion: '1.0.0', annotationDomain: 'Shop!' }, /^DeliveryApp: annotationDomain must be a DNS domain such as "shop\.example\.com"; got "Shop!"$/],
  ])('GIVEN invalid props %j THEN a ValidationError names the source, the field and the accepted form', (props, message) => {
    expect(() => new Provenance(props, 'DeliveryApp')).toThrow(ValidationError);
    expect(() => new Provenance(props, 'DeliveryApp')).toThrow(message);
  });

  test('GIVEN no annotation domain THEN the annotation is the unprefixed package name', () => {
    expect(new Provenance({ packageName: 'shop-deploy', packageVersion: '1.0.0' }).annotationKey).toBe('shop-deploy-version');
  });

  test('GIVEN only a pyproject.toml THEN the [project] table names the package', () => {
    const dir = project({ 'pyproject.toml': '[build-system]\nrequires = ["setuptools"]\nname = "not-this"\n\n[project]\nname = "shop-deploy"  # the deploy repo\nversion = "0.9.1"\n\n[tool.x]\nversion = "no"\n' });
    const p = Provenance.fromProject(dir);
    expect([p.packageName, p.packageVersion, p.annotationKey]).toEqual(['shop-deploy', '0.9.1', 'shop-deploy-version']);
  });

  test.each([
    ['no project file', {}, /has neither package.json nor pyproject.toml/],
    ['a package.json without version', { 'package.json': '{"name":"shop"}' }, /package.json: packageVersion must be a version such as "1.4.0"; got undefined/],
    ['a broken package.json', { 'package.json': '{' }, /package.json: not valid JSON/],
    ['a pyproject.toml without [project]', { 'pyproject.toml': '[tool.poetry]\nname = "x"\n' }, /pyproject.toml \[project\]: packageName must be/],
    ['a bad annotation domain', { 'package.json': '{"name":"shop","version":"1.0.0","k8sTopology":{"annotationDomain":"Shop_Example"}}' }, /annotationDomain must be a DNS domain/],
  ])('GIVEN %s THEN it fails naming the file and the field', (_what, files, message) => {
    expect(() => Provenance.fromProject(project(files as Record<string, string>))).toThrow(message);
  });
});

describe('readProjectConfig', () => {
  test('GIVEN k8sTopology settings THEN they are read, and an unknown setting is refused', () => {
    expect(readProjectConfig(project({ 'package.json': '{"k8sTopology":{"gitAuthor":"Shop render <r@shop.example.com>"}}' }))).toEqual({ annotationDomain: undefined, gitAuthor: 'Shop render <r@shop.example.com>' });
    expect(() => readProjectConfig(project({ 'package.json': '{"k8sTopology":{"annotationDomian":"x"}}' }))).toThrow(/package\.json: each key of "k8sTopology" must be a setting: annotationDomain or gitAuthor; got "annotationDomian"$/);
    expect(readProjectConfig(project({}))).toEqual({});
  });
});
