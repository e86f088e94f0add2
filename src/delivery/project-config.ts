import * as fs from 'fs';
import * as path from 'path';
import { invalid } from '../platform/errors';

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
  const file = path.join(path.resolve(dir ?? process.cwd()), 'package.json');
  if (!fs.existsSync(file)) return {};
  const field = JSON.parse(fs.readFileSync(file, 'utf8'))[CONFIG_FIELD];
  if (field === undefined) return {};
  if (typeof field !== 'object' || field === null || Array.isArray(field)) {
    invalid(file, `"${CONFIG_FIELD}"`, 'an object such as { "annotationDomain": "shop.example.com" }', field);
  }
  for (const key of Object.keys(field)) {
    if (!['annotationDomain', 'gitAuthor'].includes(key)) {
      invalid(file, `each key of "${CONFIG_FIELD}"`, 'a setting: annotationDomain or gitAuthor', key);
    }
  }
  return { annotationDomain: field.annotationDomain, gitAuthor: field.gitAuthor };
}
