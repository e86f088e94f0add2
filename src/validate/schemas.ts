// Offline generators for the validation gate, run compiled by hack/validate/install.sh. No network: every
// input is a local file.
//
//   node lib/validate/schemas.js k8s <swagger.json> <out-dir> <k8s-version>
//       Kubernetes OpenAPI v2 spec -> kubeconform layout:
//       <out-dir>/v<k8s-version>-standalone[-strict]/<kind>-<group-prefix>-<version>.json
//   node lib/validate/schemas.js crds <crds-dir> <out-dir>
//       CustomResourceDefinition files -> <out-dir>/<group>/<kind>_<version>[-strict].json,
//       plus <out-dir>/crd-versions.json (served / deprecated flags of every CRD version).
//   node lib/validate/schemas.js lifecycle <k8s.io/api module dir> <k8s.io/api version> <out-file> <swagger.json>...
//       Prerelease-lifecycle data (introduced / deprecated / removed / replacement) of every
//       k8s.io/api type, plus the group/version/kinds each given spec serves.
//
// Conventions of the generated schemas (documented in docs/VALIDATION.md):
// - one self-contained file per kind: referenced definitions are copied under "definitions",
//   so recursive types work and no file refers to another;
// - "-strict" variants set additionalProperties: false on every object that lists properties,
//   except where the CRD says x-kubernetes-preserve-unknown-fields;
// - IntOrString accepts a string or an integer, Quantity a string or a number (as the API server does);
// - null is rejected unless a CRD marks the field nullable: a rendered manifest omits a field instead;
// - descriptions are dropped to keep the files small.
// A JSON schema is any JSON value here: the generators copy what they do not rewrite.
import * as fs from 'fs';
import * as path from 'path';
import { parseAllDocuments } from 'yaml';

/** One version of a CRD, in crd-versions.json: what the apiVersion lifecycle check reads of the CRDs. */
export interface CrdVersion {
  readonly group: string;
  readonly version: string;
  readonly kind: string;
  readonly served: boolean;
  readonly deprecated: boolean;
  readonly deprecationWarning: string | null;
  /** The CRD file, relative to the CRD folder. */
  readonly source: string;
}

/** The lifecycle file: the prerelease-lifecycle data of k8s.io/api and what each Kubernetes release serves. */
export interface Lifecycle {
  /** k8s.io/api@<version> */
  readonly source: string;
  readonly builtinGroups: string[];
  /** By "<group/>version/Kind": the minor releases that introduced, deprecated and removed it, and its replacement ("<group/>version/Kind"). */
  readonly types: Record<string, { introduced?: string; deprecated?: string; removed?: string; replacement?: string }>;
  /** By Kubernetes version: every "<group/>version/Kind" its OpenAPI spec serves. */
  readonly served: Record<string, string[]>;
}

const SCHEMA_DRAFT = 'http://json-schema.org/draft-07/schema#';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';

function writeJson(file: string, value: unknown): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(value) + '\n');
}

// ---------------------------------------------------------------- Kubernetes OpenAPI v2

function convertK8sNode(node: any, strict: boolean, refs: Set<string>): any {
  if (Array.isArray(node)) return node.map((n) => convertK8sNode(n, strict, refs));
  if (node === null || typeof node !== 'object') return node;
  if (node.format === 'int-or-string') {
    return { anyOf: [{ type: 'string' }, { type: 'integer' }] };
  }
  const out: any = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key === 'description') continue;
    if (key === '$ref') {
      const name = value.replace(/^#\/definitions\//, '');
      refs.add(name);
      out.$ref = `#/definitions/${name}`;
      continue;
    }
    if (key === 'properties') {
      out.properties = {};
      for (const [prop, schema] of Object.entries<any>(value)) {
        out.properties[prop] = convertK8sNode(schema, strict, refs);
      }
      continue;
    }
    out[key] = convertK8sNode(value, strict, refs);
  }
  if (strict && out.properties && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  return out;
}

function convertK8sDefinition(name: string, def: any, strict: boolean, refs: Set<string>): any {
  if (name === QUANTITY) return { anyOf: [{ type: 'string' }, { type: 'number' }] };
  return convertK8sNode(def, strict, refs);
}

export function kindFileName(kind: string, group: string, version: string): string {
  const apiVersion = group ? `${group}/${version}` : version;
  const groupParts = apiVersion.split('/');
  let suffix = '-' + groupParts[0].split('.')[0].toLowerCase();
  if (groupParts.length > 1) suffix += '-' + groupParts[1].toLowerCase();
  return `${kind.toLowerCase()}${suffix}.json`;
}

export function generateK8s(swaggerFile: string, outDir: string, k8sVersion: string): number {
  const spec = JSON.parse(fs.readFileSync(swaggerFile, 'utf8'));
  const defs = spec.definitions;
  const names = Object.keys(defs).sort((a, b) => {
    // core API types first, so that a kind name shared with a meta type keeps the API type
    const pa = a.startsWith('io.k8s.api.') ? 0 : 1;
    const pb = b.startsWith('io.k8s.api.') ? 0 : 1;
    return pa - pb || a.localeCompare(b);
  });
  let count = 0;
  for (const strict of [false, true]) {
    const dir = path.join(outDir, `v${k8sVersion}-standalone${strict ? '-strict' : ''}`);
    fs.rmSync(dir, { recursive: true, force: true });
    const cache = new Map<string, { schema: any; refs: Set<string> }>();
    const convert = (name: string): { schema: any; refs: Set<string> } => {
      if (!cache.has(name)) {
        const refs = new Set<string>();
        cache.set(name, { schema: convertK8sDefinition(name, defs[name], strict, refs), refs });
      }
      return cache.get(name)!;
    };
    const written = new Set<string>();
    for (const name of names) {
      const gvks = defs[name]['x-kubernetes-group-version-kind'];
      if (!gvks) continue;
      for (const gvk of gvks) {
        const file = kindFileName(gvk.kind, gvk.group, gvk.version);
        if (written.has(file)) continue;
        written.add(file);
        const root = convert(name);
        const definitions: Record<string, any> = {};
        const queue = [...root.refs];
        while (queue.length) {
          const ref = queue.shift()!;
          if (definitions[ref]) continue;
          if (!defs[ref]) throw new Error(`${swaggerFile}: ${name} refers to missing definition ${ref}`);
          const c = convert(ref);
          definitions[ref] = c.schema;
          queue.push(...c.refs);
        }
        writeJson(path.join(dir, file), { $schema: SCHEMA_DRAFT, ...root.schema, definitions });
        count++;
      }
    }
  }
  return count;
}

// ---------------------------------------------------------------- CRDs

function convertCrdNode(node: any, strict: boolean): any {
  if (Array.isArray(node)) return node.map((n) => convertCrdNode(n, strict));
  if (node === null || typeof node !== 'object') return node;
  const out: any = {};
  for (const [key, value] of Object.entries<any>(node)) {
    if (key === 'description' || key === 'nullable') continue;
    if (key === 'properties' || key === 'patternProperties' || key === 'definitions') {
      out[key] = {};
      for (const [prop, schema] of Object.entries<any>(value)) out[key][prop] = convertCrdNode(schema, strict);
      continue;
    }
    out[key] = convertCrdNode(value, strict);
  }
  if (node['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'string' }, { type: 'integer' }];
  }
  if (node['x-kubernetes-embedded-resource'] === true && out.properties) {
    out.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...out.properties };
  }
  if (strict && out.properties && out.additionalProperties === undefined
      && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (node.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    else if (out.anyOf) out.anyOf = [...out.anyOf, { type: 'null' }];
  }
  return out;
}

/** The files under `dir` (recursively) that `pred` accepts, sorted. */
export function listFiles(dir: string, pred: (file: string) => boolean): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(p, pred));
    else if (pred(p)) out.push(p);
  }
  return out.sort();
}

export function generateCrds(crdsDir: string, outDir: string): number {
  fs.rmSync(outDir, { recursive: true, force: true });
  const versions: CrdVersion[] = [];
  let count = 0;
  for (const file of listFiles(crdsDir, (p) => /\.ya?ml$/.test(p))) {
    for (const doc of parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const crd = doc.toJS();
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      const group = crd.spec.group;
      const kind = crd.spec.names.kind;
      for (const v of crd.spec.versions) {
        versions.push({
          group,
          version: v.name,
          kind,
          served: v.served !== false,
          deprecated: v.deprecated === true,
          deprecationWarning: v.deprecationWarning || null,
          source: path.relative(crdsDir, file),
        });
        const schema = v.schema && v.schema.openAPIV3Schema;
        if (!schema) continue;
        for (const strict of [false, true]) {
          const root = convertCrdNode(schema, strict);
          root.properties = { apiVersion: { type: 'string' }, kind: { type: 'string' }, metadata: { type: 'object' }, ...(root.properties || {}) };
          if (strict && root.additionalProperties === undefined) root.additionalProperties = false;
          const name = `${kind.toLowerCase()}_${v.name}${strict ? '-strict' : ''}.json`;
          writeJson(path.join(outDir, group, name), { $schema: SCHEMA_DRAFT, ...root });
          count++;
        }
      }
    }
  }
  writeJson(path.join(outDir, 'crd-versions.json'), versions);
  return count;
}

// ---------------------------------------------------------------- lifecycle (pluto's question, answered from k8s.io/api)

export function generateLifecycle(apiDir: string, apiVersion: string, outFile: string, swaggerFiles: string[]): number {
  const types: Lifecycle['types'] = {};
  const groupVersions: string[] = [];
  for (const register of listFiles(apiDir, (p) => path.basename(p) === 'register.go')) {
    const dir = path.dirname(register);
    const m = /const GroupName = "([^"]*)"/.exec(fs.readFileSync(register, 'utf8'));
    if (!m) continue;
    const group = m[1];
    const version = path.basename(dir);
    if (!/^v\d+((alpha|beta)\d+)?$/.test(version)) continue;
    groupVersions.push(group ? `${group}/${version}` : version);
    const lifecycleFile = path.join(dir, 'zz_generated.prerelease-lifecycle.go');
    if (!fs.existsSync(lifecycleFile)) continue;
    const src = fs.readFileSync(lifecycleFile, 'utf8');
    const re = /func \(in \*(\w+)\) APILifecycle(Introduced|Deprecated|Removed)\(\) \(major, minor int\) \{\s*return (\d+), (\d+)/g;
    let f: RegExpExecArray | null;
    while ((f = re.exec(src))) {
      const key = `${group ? group + '/' : ''}${version}/${f[1]}`;
      types[key] = types[key] || {};
      types[key][f[2].toLowerCase() as 'introduced' | 'deprecated' | 'removed'] = `${f[3]}.${f[4]}`;
    }
    const rr = /func \(in \*(\w+)\) APILifecycleReplacement\(\) schema\.GroupVersionKind \{\s*return schema\.GroupVersionKind\{Group: "([^"]*)", Version: "([^"]*)", Kind: "([^"]*)"\}/g;
    while ((f = rr.exec(src))) {
      const key = `${group ? group + '/' : ''}${version}/${f[1]}`;
      types[key] = types[key] || {};
      types[key].replacement = `${f[2] ? f[2] + '/' : ''}${f[3]}/${f[4]}`;
    }
  }
  const served: Lifecycle['served'] = {};
  for (const spec of swaggerFiles) {
    const [version, file] = spec.split('=');
    const defs = JSON.parse(fs.readFileSync(file, 'utf8')).definitions;
    const set = new Set<string>();
    for (const def of Object.values<any>(defs)) {
      for (const gvk of def['x-kubernetes-group-version-kind'] || []) {
        set.add(`${gvk.group ? gvk.group + '/' : ''}${gvk.version}/${gvk.kind}`);
      }
    }
    served[version] = [...set].sort();
  }
  const builtinGroups = [...new Set(groupVersions.map((gv) => (gv.includes('/') ? gv.split('/')[0] : '')))].sort();
  const lifecycle: Lifecycle = { source: `k8s.io/api@${apiVersion}`, builtinGroups, types, served };
  writeJson(outFile, lifecycle);
  return Object.keys(types).length;
}

// ---------------------------------------------------------------- main

function main(argv: string[]): void {
  const [cmd, ...args] = argv;
  if (cmd === 'k8s' && args.length === 3) {
    console.log(`k8s ${args[2]}: ${generateK8s(args[0], args[1], args[2])} schema files`);
  } else if (cmd === 'crds' && args.length === 2) {
    console.log(`crds: ${generateCrds(args[0], args[1])} schema files`);
  } else if (cmd === 'lifecycle' && args.length >= 4) {
    console.log(`lifecycle: ${generateLifecycle(args[0], args[1], args[2], args.slice(3))} prerelease types`);
  } else {
    console.error('usage: schemas.js k8s <swagger.json> <out-dir> <version> | crds <dir> <out-dir> | lifecycle <api-dir> <api-version> <out-file> <ver>=<swagger.json>...');
    process.exit(2);
  }
}

if (require.main === module) main(process.argv.slice(2));
