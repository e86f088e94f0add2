import * as path from 'path';
import { invalid } from '../platform/errors';
import { PackageJson, readPackageJson } from '../platform/package-json';

/** The package.json field where a project keeps its render settings. */
export const CONFIG_FIELD = 'k8sTopology';

/** A project's render settings, from the `k8sTopology` field of its package.json. */
export interface ProjectConfig {
  /** The domain of the package-version annotation. */
  readonly annotationDomain?: string;
  /** Who commits to the rendered branch when git has no identity, `Name <email>`. */
  readonly gitAuthor?: string;
}

/** The settings of the project in `dir` (the working directory by default); empty without a package.json. */
export function readProjectConfig(dir?: string): ProjectConfig {
  const pkg = readPackageJson(path.join(path.resolve(dir ?? process.cwd()), 'package.json'));
  return pkg ? projectConfigOf(pkg) : {};
}

/** The settings in a package.json that has been read already, checked. */
export function projectConfigOf(pkg: PackageJson): ProjectConfig {
  const field: any = pkg.k8sTopology;
  if (field === undefined) return {};
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    invalid(pkg.file, `"${CONFIG_FIELD}"`, 'an object such as { "annotationDomain": "shop.example.com" }', field);
  }
  for (const key of Object.keys(field)) {
    if (!['annotationDomain', 'gitAuthor'].includes(key)) {
      invalid(pkg.file, `each key of "${CONFIG_FIELD}"`, 'a setting: annotationDomain or gitAuthor', key);
    }
  }
  return { annotationDomain: field.annotationDomain, gitAuthor: field.gitAuthor };
}
