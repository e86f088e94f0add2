import * as fs from 'fs';
import * as path from 'path';
import { isMap, isScalar, parseDocument, YAMLMap } from 'yaml';
import { parseDotenv } from './dotenv';
import { VariableUse, Variables } from './interpolation';

/** A compose file the importer cannot read: the message names the file, the service and the key. */
export class ImportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ImportError';
  }
}

/** The compose top-level keys (compose specification); `x-` keys are extensions. */
export const TOP_LEVEL_KEYS = ['version', 'name', 'services', 'networks', 'volumes', 'secrets', 'configs', 'include', 'models'];

/** A string of the input as written, and the variables it refers to. */
export interface Template {
  readonly raw: string;
  readonly uses: VariableUse[];
}

/** One environment variable of a service's container. */
export interface ServiceEnv {
  readonly name: string;
  /** The value after interpolation; undefined when compose takes it from the shell and it is unset. */
  readonly value?: string;
  /** The value as written, when it refers to variables. */
  readonly template?: Template;
  /** `environment` or the env_file it was read from (relative to the compose file). */
  readonly origin: string;
  /** `- KEY` or `KEY:` with no value: compose copies it from the shell environment. */
  readonly fromShell: boolean;
}

export interface ComposeService {
  readonly name: string;
  /** The service after merge keys, `extends` and interpolation (an unset variable is an empty string, as in compose). */
  readonly spec: Record<string, any>;
  /** The keys of the service, in the order written. */
  readonly keys: string[];
  /** Every interpolated string, by its path in the service (`image`, `environment.DATABASE_URL`, `ports[0]`). */
  readonly templates: Map<string, Template>;
  /** The container environment: env_file entries, then `environment` (which wins), sorted by name. */
  readonly environment: ServiceEnv[];
  readonly profiles: string[];
  /** False when the service belongs only to profiles that are not enabled. */
  readonly active: boolean;
}

export interface ComposeProject {
  /** The compose file as given, relative to the working directory (never absolute in any output). */
  readonly file: string;
  /** The folder relative paths in the file are resolved against. */
  readonly dir: string;
  /** `name:`, else COMPOSE_PROJECT_NAME, else the folder's name. */
  readonly name: string;
  readonly nameSource: 'name' | 'COMPOSE_PROJECT_NAME' | 'folder' | 'option';
  /** The top-level keys in the order written. */
  readonly topLevelKeys: string[];
  readonly top: Record<string, any>;
  readonly services: ComposeService[];
  readonly enabledProfiles: string[];
  /** The env file the variables came from, when there was one (relative to the compose file's folder, or as given). */
  readonly envFile?: string;
  readonly variables: Variables;
}

export interface LoadOptions {
  /** The compose file. */
  readonly file: string;
  /** Variables for interpolation instead of `<dir>/.env`. */
  readonly envFile?: string;
  /** The shell environment; it wins over the env file, as in compose. */
  readonly environment: Record<string, string | undefined>;
  /** Profiles to enable, besides COMPOSE_PROFILES. */
  readonly profiles?: string[];
  /** The app name, instead of the compose project name. */
  readonly name?: string;
}

const MERGED_MAPS = ['environment', 'labels', 'extra_hosts', 'sysctls', 'ulimits', 'annotations', 'depends_on'];
const CONCAT_LISTS = ['ports', 'expose', 'dns', 'dns_search', 'tmpfs', 'cap_add', 'cap_drop', 'env_file', 'secrets', 'configs', 'devices', 'volumes', 'security_opt'];

function display(p: string): string {
  return p.split(path.sep).join('/');
}

function isObject(v: unknown): v is Record<string, any> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses one compose file to plain data, merge keys and anchors resolved; throws ImportError naming the line. */
function parseYamlFile(file: string, shown: string): Record<string, any> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new ImportError(`${shown}: cannot read the file (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const doc = parseDocument(text, { merge: true, uniqueKeys: true, prettyErrors: true });
  if (doc.errors.length) {
    const err = doc.errors[0];
    const where = err.linePos ? `line ${err.linePos[0].line}, column ${err.linePos[0].col}` : 'unknown position';
    throw new ImportError(`${shown}: not valid YAML (${where}): ${err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '')}`);
  }
  if (!isMap(doc.contents)) {
    const what = doc.contents === null ? 'an empty document' : isScalar(doc.contents) ? 'a scalar' : 'a list';
    throw new ImportError(`${shown}: not a Compose file: the document is ${what}, not a mapping with "services"`);
  }
  // Keys must be strings, as compose requires.
  for (const item of (doc.contents as YAMLMap).items) {
    if (!isScalar(item.key) || typeof item.key.value !== 'string') {
      throw new ImportError(`${shown}: not a Compose file: top-level key ${JSON.stringify(String(item.key))} is not a string`);
    }
  }
  return doc.toJS({ maxAliasCount: 1000 }) as Record<string, any>;
}

function normalizeEnvironment(value: unknown, where: string): Record<string, string | null> {
  if (value === undefined || value === null) return {};
  const out: Record<string, string | null> = {};
  if (Array.isArray(value)) {
    for (const item of value) {
      if (typeof item !== 'string') throw new ImportError(`${where}: environment entries must be "KEY=value" strings; got ${JSON.stringify(item)}`);
      const eq = item.indexOf('=');
      if (eq === 0) throw new ImportError(`${where}: environment entry ${JSON.stringify(item)} has no name`);
      if (eq < 0) out[item] = null;
      else out[item.slice(0, eq)] = item.slice(eq + 1);
    }
    return out;
  }
  if (isObject(value)) {
    for (const [k, v] of Object.entries(value)) out[k] = v === null || v === undefined ? null : String(v);
    return out;
  }
  throw new ImportError(`${where}: environment must be a list of "KEY=value" or a mapping; got ${JSON.stringify(value)}`);
}

function normalizeDependsOn(value: unknown): Record<string, any> {
  if (Array.isArray(value)) return Object.fromEntries(value.map((v) => [String(v), { condition: 'service_started' }]));
  return isObject(value) ? value : {};
}

/** Merges an `extends` base into a service as compose does: maps merge, some lists concatenate, the rest is overridden. */
function mergeService(base: Record<string, any>, local: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [key, value] of Object.entries(local)) {
    if (key === 'extends') continue;
    if (MERGED_MAPS.includes(key) && key in base) {
      out[key] = key === 'environment'
        ? { ...normalizeEnvironment(base[key], key), ...normalizeEnvironment(value, key) }
        : key === 'depends_on' ? { ...normalizeDependsOn(base[key]), ...normalizeDependsOn(value) } : { ...base[key], ...value };
    } else if (CONCAT_LISTS.includes(key) && Array.isArray(base[key]) && Array.isArray(value)) {
      const seen = new Set(value.map((v: unknown) => JSON.stringify(v)));
      out[key] = [...base[key].filter((v: unknown) => !seen.has(JSON.stringify(v))), ...value];
    } else if (isObject(value) && isObject(base[key])) {
      out[key] = deepMerge(base[key], value);
    } else {
      out[key] = value;
    }
  }
  return out;
}

/** Mappings merge key by key, all the way down; anything else is overridden. */
function deepMerge(base: Record<string, any>, local: Record<string, any>): Record<string, any> {
  const out: Record<string, any> = { ...base };
  for (const [k, v] of Object.entries(local)) out[k] = isObject(v) && isObject(base[k]) ? deepMerge(base[k], v) : v;
  return out;
}

/** Rewrites the relative paths of a service read from another folder (extends `file:`) to this file's folder. */
function rebase(service: Record<string, any>, from: string, to: string): Record<string, any> {
  if (from === to) return service;
  const move = (p: string) => (path.isAbsolute(p) || p.startsWith('~') ? p : display(path.relative(to, path.resolve(from, p))) || '.');
  const out = { ...service };
  if (typeof out.build === 'string') out.build = move(out.build);
  else if (isObject(out.build) && typeof out.build.context === 'string') out.build = { ...out.build, context: move(out.build.context) };
  if (typeof out.env_file === 'string') out.env_file = move(out.env_file);
  else if (Array.isArray(out.env_file)) out.env_file = out.env_file.map((e: any) => (typeof e === 'string' ? move(e) : isObject(e) ? { ...e, path: move(String(e.path)) } : e));
  if (Array.isArray(out.volumes)) {
    out.volumes = out.volumes.map((v: any) => {
      if (typeof v === 'string' && /^[.~/]/.test(v)) {
        const [src, ...rest] = v.split(':');
        return [move(src), ...rest].join(':');
      }
      if (isObject(v) && v.type === 'bind' && typeof v.source === 'string') return { ...v, source: move(v.source) };
      return v;
    });
  }
  return out;
}

interface RawServices {
  readonly file: string;
  readonly dir: string;
  readonly services: Record<string, any>;
}

function resolveExtends(name: string, source: RawServices, shown: string, stack: string[]): Record<string, any> {
  const service = source.services[name];
  const where = `${shown}: service "${name}"`;
  if (!isObject(service)) throw new ImportError(`${where}: must be a mapping; got ${JSON.stringify(service)}`);
  const ext = service.extends;
  if (ext === undefined) return service;
  const spec = typeof ext === 'string' ? { service: ext } : ext;
  if (!isObject(spec) || typeof spec.service !== 'string') throw new ImportError(`${where}: extends: must name a service ("service: <name>"); got ${JSON.stringify(ext)}`);
  const key = `${spec.file ?? source.file}#${spec.service}`;
  if (stack.includes(key)) throw new ImportError(`${where}: extends: a cycle (${[...stack, key].join(' -> ')})`);
  let base: Record<string, any>;
  if (spec.file !== undefined) {
    const file = path.resolve(source.dir, String(spec.file));
    const other = parseYamlFile(file, `${shown} (extends ${spec.file})`);
    const others: RawServices = { file, dir: path.dirname(file), services: isObject(other.services) ? other.services : {} };
    if (!(spec.service in others.services)) throw new ImportError(`${where}: extends: ${spec.file} has no service "${spec.service}"`);
    base = rebase(resolveExtends(spec.service, others, `${shown} (extends ${spec.file})`, [...stack, key]), others.dir, source.dir);
  } else {
    if (!(spec.service in source.services)) throw new ImportError(`${where}: extends: no service "${spec.service}" in this file`);
    base = resolveExtends(spec.service, source, shown, [...stack, key]);
  }
  return { ...mergeService(base, service), extends: service.extends };
}

/** Interpolates every string below `value`, recording each one that refers to a variable under its path. */
function interpolateTree(value: unknown, at: string, vars: Variables, templates: Map<string, Template>): any {
  if (typeof value === 'string') {
    const r = vars.interpolate(value);
    if (r.uses.length) templates.set(at, { raw: value, uses: r.uses });
    return r.text;
  }
  if (Array.isArray(value)) return value.map((v, i) => interpolateTree(v, `${at}[${i}]`, vars, templates));
  if (isObject(value)) {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = interpolateTree(v, at ? `${at}.${k}` : k, vars, templates);
    return out;
  }
  return value;
}

function readEnvFile(file: string, shown: string, where: string, vars: Variables): Record<string, { value: string; template?: Template }> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new ImportError(`${where}: ${shown} not found (compose needs it; mark it "required: false" if it is optional)`);
  }
  let entries;
  try {
    entries = parseDotenv(text, shown);
  } catch (e) {
    throw new ImportError(`${where}: ${(e as Error).message}`);
  }
  const out: Record<string, { value: string; template?: Template }> = {};
  for (const e of entries) {
    if (e.value === undefined) {
      const v = vars.get(e.name);
      if (v) out[e.name] = { value: v.value };
      continue;
    }
    const r = e.literal ? { text: e.value, uses: [] } : vars.interpolate(e.value);
    out[e.name] = { value: r.text, template: r.uses.length ? { raw: e.value, uses: r.uses } : undefined };
  }
  return out;
}

function envFiles(value: unknown, where: string): { path: string; required: boolean }[] {
  if (value === undefined || value === null) return [];
  const list = Array.isArray(value) ? value : [value];
  return list.map((e) => {
    if (typeof e === 'string') return { path: e, required: true };
    if (isObject(e) && typeof e.path === 'string') return { path: e.path, required: e.required !== false };
    throw new ImportError(`${where}: env_file entries must be paths or {path, required}; got ${JSON.stringify(e)}`);
  });
}

function profilesOf(value: unknown, where: string): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || value.some((p) => typeof p !== 'string')) throw new ImportError(`${where}: profiles must be a list of names; got ${JSON.stringify(value)}`);
  return value;
}

/**
 * Reads a compose file as `docker compose config` would: anchors and merge keys, `x-`
 * extensions, `extends`, profiles, env_file and variable interpolation. Throws ImportError
 * on anything compose itself would reject, and on what the importer cannot represent.
 */
export function loadCompose(options: LoadOptions): ComposeProject {
  // Only the file's name reaches the output: the same file imports the same from any folder.
  const shown = path.basename(options.file);
  const absolute = path.resolve(options.file);
  const dir = path.dirname(absolute);
  const top = parseYamlFile(absolute, shown);
  const topLevelKeys = Object.keys(top);
  if (!('services' in top)) {
    const kube = 'apiVersion' in top && 'kind' in top ? ' (it looks like a Kubernetes manifest)' : '';
    throw new ImportError(`${shown}: not a Compose file${kube}: no top-level "services" (keys: ${topLevelKeys.join(', ') || 'none'})`);
  }
  for (const key of topLevelKeys) {
    if (!TOP_LEVEL_KEYS.includes(key) && !key.startsWith('x-')) {
      throw new ImportError(`${shown}: unknown top-level key "${key}" (a Compose file has ${TOP_LEVEL_KEYS.join(', ')} and x- extensions)`);
    }
  }
  if (!isObject(top.services) || Object.keys(top.services).length === 0) {
    throw new ImportError(`${shown}: "services" must be a mapping of at least one service; got ${JSON.stringify(top.services)}`);
  }
  if ('include' in top) {
    throw new ImportError(`${shown}: include: is not supported by the importer; merge the included files first (docker compose config > merged.yml) and import that`);
  }

  let envFileEntries: Record<string, string> = {};
  let envFileShown: string | undefined;
  const envFile = options.envFile ? path.resolve(options.envFile) : path.join(dir, '.env');
  if (options.envFile || fs.existsSync(envFile)) {
    envFileShown = options.envFile ? display(options.envFile) : '.env';
    let text: string;
    try {
      text = fs.readFileSync(envFile, 'utf8');
    } catch {
      throw new ImportError(`--env-file ${envFileShown}: cannot read the file`);
    }
    let entries;
    try {
      entries = parseDotenv(text, envFileShown);
    } catch (e) {
      throw new ImportError((e as Error).message);
    }
    // The env file's own values may refer to the shell environment and to earlier entries.
    const acc: Record<string, string> = {};
    for (const e of entries) {
      if (e.value === undefined) continue;
      acc[e.name] = e.literal ? e.value : new Variables(options.environment, acc).interpolate(e.value).text;
    }
    envFileEntries = acc;
  }
  const vars = new Variables(options.environment, envFileEntries);
  const composeProfiles = (vars.get('COMPOSE_PROFILES')?.value ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  const enabledProfiles = [...new Set([...(options.profiles ?? []), ...composeProfiles])].sort();

  const raw: RawServices = { file: absolute, dir, services: top.services };
  const services: ComposeService[] = [];
  for (const name of Object.keys(top.services)) {
    const where = `${shown}: service "${name}"`;
    const merged = resolveExtends(name, raw, shown, []);
    const keys = Object.keys(merged);
    const prepared: Record<string, any> = { ...merged };
    if ('environment' in prepared) prepared.environment = normalizeEnvironment(prepared.environment, `${where}: environment`);
    const templates = new Map<string, Template>();
    const spec = interpolateTree(prepared, '', vars, templates) as Record<string, any>;
    if (!('image' in spec) && !('build' in spec)) {
      throw new ImportError(`${where}: has neither "image" nor "build" (compose needs one to know what to run)`);
    }
    if ('image' in spec && (typeof spec.image !== 'string' || spec.image === '') && !templates.has('image')) {
      throw new ImportError(`${where}: image: must be an image reference; got ${JSON.stringify(spec.image)}`);
    }
    const profiles = profilesOf(spec.profiles, where);
    const active = profiles.length === 0 || profiles.some((p) => enabledProfiles.includes(p));

    const env = new Map<string, ServiceEnv>();
    for (const f of envFiles(spec.env_file, `${where}: env_file`)) {
      const file = path.resolve(dir, f.path);
      if (!f.required && !fs.existsSync(file)) continue;
      const values = active ? readEnvFile(file, display(f.path), `${where}: env_file`, vars) : {};
      for (const [k, v] of Object.entries(values)) env.set(k, { name: k, value: v.value, template: v.template, origin: `env_file ${display(f.path)}`, fromShell: false });
    }
    for (const [k, v] of Object.entries((spec.environment ?? {}) as Record<string, string | null>)) {
      if (v === null) {
        const fromShell = vars.get(k);
        env.set(k, { name: k, value: fromShell?.value, origin: 'environment', fromShell: true });
      } else {
        env.set(k, { name: k, value: v, template: templates.get(`environment.${k}`), origin: 'environment', fromShell: false });
      }
    }
    services.push({
      name,
      spec,
      keys,
      templates,
      environment: [...env.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
      profiles,
      active,
    });
  }

  const topTemplates = new Map<string, Template>();
  const topResolved: Record<string, any> = {};
  for (const key of topLevelKeys) topResolved[key] = key === 'services' ? top.services : interpolateTree(top[key], key, vars, topTemplates);
  let name: string;
  let nameSource: ComposeProject['nameSource'];
  if (options.name) {
    name = options.name;
    nameSource = 'option';
  } else if (typeof topResolved.name === 'string' && topResolved.name) {
    name = topResolved.name;
    nameSource = 'name';
  } else if (vars.get('COMPOSE_PROJECT_NAME')?.value) {
    name = vars.get('COMPOSE_PROJECT_NAME')!.value;
    nameSource = 'COMPOSE_PROJECT_NAME';
  } else {
    name = path.basename(dir);
    nameSource = 'folder';
  }
  return { file: shown, dir, name, nameSource, topLevelKeys, top: topResolved, services, enabledProfiles, envFile: envFileShown, variables: vars };
}

/** The variables below `key` of a service that have no value: each is an error where the importer needs the value. */
export function unsetVariables(service: ComposeService, key: string): (VariableUse & { readonly at: string })[] {
  const out: (VariableUse & { readonly at: string })[] = [];
  for (const [at, t] of service.templates) {
    if (at !== key && !at.startsWith(`${key}.`) && !at.startsWith(`${key}[`)) continue;
    for (const u of t.uses) if (u.state === 'unset' || u.state === 'error') out.push({ ...u, at });
  }
  return out;
}

/** Throws when a value the importer needs (an image tag, a port, a replica count) refers to a variable without a value. */
export function requireResolved(project: ComposeProject, service: ComposeService, key: string): void {
  const missing = unsetVariables(service, key);
  if (!missing.length) return;
  const u = missing[0];
  const sources = `no default, not in the environment${project.envFile ? `, not in ${project.envFile}` : ', and no .env or --env-file'}`;
  const why = u.state === 'error' && u.message ? `is required: ${u.message}` : `is not set (${sources})`;
  throw new ImportError(`${project.file}: service "${service.name}": ${u.at}: variable ${u.name} ${why}; the importer needs this value`);
}
