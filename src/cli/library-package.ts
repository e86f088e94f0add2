import * as fs from 'fs';
import * as path from 'path';

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
    const json = JSON.parse(fs.readFileSync(LIBRARY_PACKAGE_JSON, 'utf8'));
    if (typeof json.name !== 'string' || typeof json.version !== 'string') {
      throw new Error(`${LIBRARY_PACKAGE_JSON}: name and version must be strings; got ${JSON.stringify({ name: json.name, version: json.version })}`);
    }
    cached = { name: json.name, version: json.version };
  }
  return cached;
}
