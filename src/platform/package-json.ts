import * as fs from 'fs';
import { invalid } from './errors';

/**
 * The fields of a package.json that the render and the CLI read, as the file writes them: each reader
 * checks the ones it uses (Provenance the name and version, the project config its `k8sTopology`
 * settings, the CLI its own name and version and TypeScript's `bin`).
 */
export interface PackageJson {
  /** The file that was read, for error messages. */
  readonly file: string;
  /** `name`. */
  readonly name: unknown;
  /** `version`. */
  readonly version: unknown;
  /** `repository` as a URL: the string form, or the `url` of the object form. */
  readonly repoUrl: unknown;
  /** `bin`: one command's file, or command names to files. */
  readonly bin: unknown;
  /** `k8sTopology`: the project's render settings (`readProjectConfig`). */
  readonly k8sTopology: unknown;
}

/**
 * The package.json at `file`, or undefined when there is none. Throws, naming the file, when it is
 * not valid JSON or not a JSON object.
 */
export function readPackageJson(file: string): PackageJson | undefined {
  if (!fs.existsSync(file)) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new Error(`${file}: not valid JSON (${(e as Error).message})`);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    invalid(file, 'the file', 'a JSON object such as { "name": "shop-deploy", "version": "1.4.0" }', json);
  }
  const fields = json as Record<string, any>;
  const repository = fields.repository;
  return {
    file,
    name: fields.name,
    version: fields.version,
    repoUrl: typeof repository === 'string' ? repository : repository?.url,
    bin: fields.bin,
    k8sTopology: fields.k8sTopology,
  };
}
