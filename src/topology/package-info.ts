import * as fs from 'fs';
import * as path from 'path';

/** Annotation naming the construct package release that rendered an object. */
export const PACKAGE_VERSION_ANNOTATION = 'picvario.io/k8s-topology-version';

export interface PackageInfo {
  readonly name: string;
  readonly version: string;
  /** The repository URL from package.json, if any. */
  readonly repositoryUrl?: string;
}

/**
 * The construct package's own name and version. Read from its package.json at run time, found
 * relative to this file, so that lib/topology/*.js (compiled) and src/topology/*.ts (ts-jest)
 * both report the package they belong to, not the consumer's.
 */
export function packageInfo(): PackageInfo {
  const file = path.join(__dirname, '..', '..', 'package.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  if (typeof json.name !== 'string' || typeof json.version !== 'string') {
    throw new Error(`${file} has no name or version`);
  }
  const repository = typeof json.repository === 'string' ? json.repository : json.repository?.url;
  return { name: json.name, version: json.version, repositoryUrl: repository };
}
