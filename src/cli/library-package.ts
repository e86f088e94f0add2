import * as path from 'path';
import { readPackageJson } from '../platform/package-json';

/** This library's own name and version (not the consumer's: that is {@link Provenance}). */
export interface LibraryPackage {
  readonly name: string;
  readonly version: string;
}

/** This library's package.json: `lib/cli/` (or `src/cli/` under ts-jest) is two levels below it. */
export const LIBRARY_PACKAGE_JSON = path.join(__dirname, '..', '..', 'package.json');

let cached: LibraryPackage | undefined;

/**
 * The name and version in this library's own package.json, read once: the CLI's `--version` and the
 * dependency an imported app declares. Throws when the file is missing or has no name and version.
 */
export function libraryPackage(): LibraryPackage {
  if (cached === undefined) {
    const pkg = readPackageJson(LIBRARY_PACKAGE_JSON);
    if (!pkg) throw new Error(`${LIBRARY_PACKAGE_JSON} does not exist: the CLI runs from this library's lib/ (or src/) folder beside it`);
    if (typeof pkg.name !== 'string' || typeof pkg.version !== 'string') {
      throw new Error(`${LIBRARY_PACKAGE_JSON}: name and version must be strings; got ${JSON.stringify({ name: pkg.name, version: pkg.version })}`);
    }
    cached = { name: pkg.name, version: pkg.version };
  }
  return cached;
}
