import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, DependencyGraph, ApiObject, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { folderReadme, README_FILE } from './folder-readme';
import { componentOf, describe, KubeObject, kindOf, VERSION_LABEL } from './kube-object';
import { Provenance } from './provenance';
import { buildIndex, indexFile, RenderedFile, RenderIndex } from './render-index';
import { invalid, ValidationError } from '../platform/errors';
import { TRAFFIC_METADATA } from '../platform/traffic-model';
import { appDuplicateObjects } from '../platform/unique-objects';

/** A folder of the render: its objects and every file written into it, index included. */
export interface RenderedFolderOutput {
  readonly name: string;
  readonly objects: KubeObject[];
  readonly files: RenderedFile[];
  readonly index: RenderIndex;
  /** Objects that had no `app.kubernetes.io/version` label and got the folder's version. */
  readonly versionAdded: string[];
}

/** What one folder is made from. */
export interface FolderInput {
  readonly name: string;
  readonly objects: KubeObject[];
  /** The namespace the README names; no README without one. */
  readonly namespace?: string;
  /** The version given to objects without a version label. */
  readonly appVersion?: string;
  /** The intended traffic, written to the index as `traffic`. */
  readonly traffic?: unknown;
  /** Which file an object goes to. @default - `<component>.yaml`, or {@link ENVIRONMENT_FILE} */
  readonly fileFor?: (obj: KubeObject) => string;
}

/** Objects without a component (the namespace and other folder-wide policy) go first. */
export const ENVIRONMENT_FILE = '00-environment.yaml';

/** What a folder (a chart's id) may be called. */
export const FOLDER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function componentFile(obj: KubeObject): string {
  const component = componentOf(obj);
  return component ? `${component}.yaml` : ENVIRONMENT_FILE;
}

// ---------------------------------------------------------------------------------------------
// YAML emission. The files hold exactly what cdk8s's `Yaml.stringify` writes (the `yaml` package,
// YAML 1.1, `lineWidth: 0`, documents joined by `---`), but written straight from the resolved JSON:
// `yaml` builds a node tree for every object before printing it, which cost a third of a render.
// The structure is printed here; every string is printed as `yaml` prints it (its rules for plain,
// quoted and literal block scalars are reproduced below, and the rare strings they do not cover are
// handed to `yaml` itself), and a document with anything else (another kind of value, an object
// referenced twice, which `yaml` writes as an anchor) is printed by `Yaml.stringify` as a whole.
// test/delivery/yaml-emission.test.ts holds the two to the same bytes.

/** A document the fast path does not print; `Yaml.stringify` prints it. */
class NotPlainJson extends Error {}

/** Control characters and unpaired surrogates: `yaml` double-quotes these with its own escapes. */
const CONTROL = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u;
/** Strings that `yaml` may not print plain (indicators first, `: `, ` #`, trailing space or colon, ...). */
const NOT_PLAIN = /^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/;
/** What YAML 1.1 reads as something other than a string: null, booleans, numbers, sexagesimals, timestamps. */
const IMPLICIT = new RegExp([
  '^(?:~|[Nn]ull|NULL)?$',
  '^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$',
  '^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$',
  '^[-+]?0b[0-1_]+$',
  '^[-+]?0[0-7_]+$',
  '^[-+]?[0-9][0-9_]*$',
  '^[-+]?0x[0-9a-fA-F_]+$',
  '^(?:[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN)$',
  '^[-+]?(?:[0-9][0-9_]*)?(?:\\.[0-9_]*)?[eE][-+]?[0-9]+$',
  '^[-+]?(?:[0-9][0-9_]*)?\\.[0-9_]*$',
  '^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$',
  '^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\\.[0-9_]*$',
  '^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:t|T|[ \\t]+)[0-9]{1,2}:[0-9]{1,2}:[0-9]{1,2}(?:\\.[0-9]+)?(?:[ \\t]*(?:Z|[-+][012]?[0-9](?::[0-9]{2})?))?)?$',
].join('|'));
/** `---`, `...` or `%` at a line start: `yaml` quotes such a key next to the document's root. */
const DOCUMENT_MARKER = /^(?:%|---|\.\.\.)/m;

/** Strings `yaml` is asked about (single-line, as a key or as a value), with its answer. */
const askedYaml = new Map<string, string>();

function yamlScalar(text: string, asKey: boolean): string {
  const cacheKey = `${asKey ? 'k' : 'v'}${text}`;
  let form = askedYaml.get(cacheKey);
  if (form === undefined) {
    const printed = asKey ? Yaml.stringify({ [text]: 1 }) : Yaml.stringify({ a: text });
    form = asKey ? printed.slice(0, -': 1\n'.length) : printed.slice('a: '.length, -1);
    if (printed !== (asKey ? `${form}: 1\n` : `a: ${form}\n`) || form.includes('\n') || form.startsWith('? ')) throw new NotPlainJson();
    askedYaml.set(cacheKey, form);
  }
  return form;
}

/** Most names, labels and paths: plain for `yaml` unless a word YAML 1.1 reads as null, a boolean or (`e5`) a float. */
const SIMPLE = /^[A-Za-z][A-Za-z0-9_./-]*$/;
const SIMPLE_BUT_IMPLICIT = /^(?:[Nn]ull|NULL|[YyNn]|[Yy]es|YES|[Nn]o|NO|[Tt]rue|TRUE|[Ff]alse|FALSE|[Oo]n|ON|[Oo]ff|OFF|[eE]-?[0-9]+)$/;

/** A single-line string as `yaml` prints it in a block mapping or sequence (never in flow style). */
function singleLine(text: string, asKey: boolean): string {
  const form = scalarForm(text, asKey);
  // Longer keys need the explicit `? ` form, which the fast path does not print.
  if (asKey && form.length > 1024) throw new NotPlainJson();
  return form;
}

function scalarForm(text: string, asKey: boolean): string {
  if (SIMPLE.test(text) && !SIMPLE_BUT_IMPLICIT.test(text)) return text;
  // Control characters, a multi-line key (double-quoted with `yaml`'s escapes) and the merge key.
  if (CONTROL.test(text) || text === '<<' || (asKey && text.includes('\n'))) return yamlScalar(text, asKey);
  if (asKey && DOCUMENT_MARKER.test(text)) throw new NotPlainJson();
  if (!NOT_PLAIN.test(text) && !IMPLICIT.test(text)) return text;
  if (text.includes('"') && !text.includes("'")) return `'${text}'`;
  return JSON.stringify(text);
}

/** A multi-line string as `yaml` prints it: a literal block scalar whose lines are indented by `indent`. */
function literalBlock(text: string, indent: string): string {
  // `yaml` double-quotes these, folding the lines (and whitespace-only strings, since yaml 2.8): left to it.
  if (CONTROL.test(text) || /\n[\t ]+$/.test(text) || /^\s*$/.test(text)) throw new NotPlainJson();
  let value = text;
  let endStart = value.length;
  while (endStart > 0 && ['\n', '\t', ' '].includes(value[endStart - 1])) endStart--;
  let end = value.substring(endStart);
  const endNewline = end.indexOf('\n');
  // Chomping: strip without a final newline, clip with one, keep with more.
  const chomp = endNewline === -1 ? '-' : value === end || endNewline !== end.length - 1 ? '+' : '';
  if (end) {
    value = value.slice(0, -end.length);
    if (end.endsWith('\n')) end = end.slice(0, -1);
    end = end.replace(/(^|(?<!\n))\n+(?!\n|$)/g, `$&${indent}`);
  }
  let startWithSpace = false;
  let startEnd = 0;
  let startNewline = -1;
  for (; startEnd < value.length; startEnd++) {
    const ch = value[startEnd];
    if (ch === ' ') startWithSpace = true;
    else if (ch === '\n') startNewline = startEnd;
    else break;
  }
  let start = value.substring(0, startNewline < startEnd ? startNewline + 1 : startEnd);
  if (start) {
    value = value.substring(start.length);
    start = start.replace(/\n+/g, `$&${indent}`);
  }
  // A first line that starts with a space needs an explicit indentation indicator.
  const header = `${startWithSpace ? '2' : ''}${chomp}`;
  return `|${header}\n${indent}${start}${value.replace(/\n+/g, `$&${indent}`)}${end}`;
}

function scalar(value: unknown, indent: string): string {
  switch (typeof value) {
    case 'string':
      return value.includes('\n') ? literalBlock(value, indent) : singleLine(value, false);
    case 'number':
      // `yaml` writes -0 as 0 or as -0 depending on its version, and non-finite numbers as .inf or .nan.
      if (!Number.isFinite(value) || Object.is(value, -0)) throw new NotPlainJson();
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'undefined':
      return 'null';
    default:
      if (value === null) return 'null';
      throw new NotPlainJson();
  }
}

/** Prints one document into `out`, piece by piece (one join at the end is far cheaper than nested strings). */
class DocumentPrinter {
  public readonly out: string[] = [];
  private readonly seen = new Set<object>();

  /** The keys of a plain object, each object visited once (`yaml` would alias a repeated one). */
  public keysOf(value: object): string[] {
    this.visit(value);
    const proto = Object.getPrototypeOf(value);
    if ((proto !== Object.prototype && proto !== null) || typeof (value as { toJSON?: unknown }).toJSON === 'function') throw new NotPlainJson();
    return Object.keys(value);
  }

  /** The pairs of a non-empty mapping whose first key is already positioned; the others start at `indent`. */
  public mapping(value: Record<string, unknown>, keys: string[], indent: string): void {
    const inner = `${indent}  `;
    for (let i = 0; i < keys.length; i++) {
      if (i) this.out.push(`\n${indent}`);
      const item = value[keys[i]];
      this.out.push(`${singleLine(keys[i], true)}:`);
      if (item === null || typeof item !== 'object') {
        this.out.push(` ${scalar(item, inner)}`);
      } else if (Array.isArray(item)) {
        this.visit(item);
        if (item.length === 0) {
          this.out.push(' []');
        } else {
          this.out.push(`\n${inner}`);
          this.sequence(item, inner);
        }
      } else {
        const itemKeys = this.keysOf(item);
        if (itemKeys.length === 0) {
          this.out.push(' {}');
        } else {
          this.out.push(`\n${inner}`);
          this.mapping(item as Record<string, unknown>, itemKeys, inner);
        }
      }
    }
  }

  /** The items of a non-empty sequence whose first `- ` goes where the output is; the others start at `indent`. */
  public sequence(value: unknown[], indent: string): void {
    const inner = `${indent}  `;
    for (let i = 0; i < value.length; i++) {
      this.out.push(i ? `\n${indent}- ` : '- ');
      const item = value[i];
      if (item === null || typeof item !== 'object') {
        this.out.push(scalar(item, inner));
      } else if (Array.isArray(item)) {
        this.visit(item);
        if (item.length === 0) this.out.push('[]');
        else this.sequence(item, inner);
      } else {
        const itemKeys = this.keysOf(item);
        if (itemKeys.length === 0) this.out.push('{}');
        else this.mapping(item as Record<string, unknown>, itemKeys, inner);
      }
    }
  }

  private visit(value: object): void {
    if (this.seen.has(value)) throw new NotPlainJson();
    this.seen.add(value);
  }
}

function yamlDocument(doc: unknown): string {
  if (doc !== null && typeof doc === 'object' && !Array.isArray(doc)) {
    try {
      const printer = new DocumentPrinter();
      const keys = printer.keysOf(doc);
      if (keys.length === 0) return '{}\n';
      printer.mapping(doc as Record<string, unknown>, keys, '');
      printer.out.push('\n');
      return printer.out.join('');
    } catch (e) {
      if (!(e instanceof NotPlainJson)) throw e;
    }
  }
  return Yaml.stringify(doc);
}

/** The objects as one multi-document YAML file, byte for byte what cdk8s's `Yaml.stringify(...docs)` returns. */
export function toYaml(docs: unknown[]): string {
  return docs.map((doc) => (doc === undefined ? '\n' : yamlDocument(doc))).join('---\n');
}

// ---------------------------------------------------------------------------------------------

function sortedRecord(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.keys(record).sort().map((k) => [k, record[k]]));
}

/**
 * Gives every object the version label and the package-version annotation, in metadata only:
 * pod templates stay as the constructs made them, so a new package release does not roll pods.
 *
 * A missing version label is added rather than failed on: objects made with the low-level API may
 * carry no labels, yet they belong to the folder's release. Each object that got one is reported,
 * so the gap stays visible in the progress line.
 */
export function stampVersions(objects: KubeObject[], appVersion: string | undefined, provenance: Provenance): string[] {
  const added: string[] = [];
  for (const obj of objects) {
    obj.metadata = obj.metadata ?? {};
    const labels = { ...(obj.metadata.labels ?? {}) };
    if (!labels[VERSION_LABEL] && appVersion) {
      labels[VERSION_LABEL] = appVersion;
      added.push(describe(obj));
    }
    obj.metadata.labels = sortedRecord(labels);
    obj.metadata.annotations = sortedRecord({ ...(obj.metadata.annotations ?? {}), [provenance.annotationKey]: provenance.packageVersion });
  }
  return added;
}

/** Stamps the objects, groups them into files and adds the README and the index. */
export function renderFolder(input: FolderInput, provenance: Provenance): RenderedFolderOutput {
  const versionAdded = stampVersions(input.objects, input.appVersion, provenance);
  const fileFor = input.fileFor ?? componentFile;
  const byFile = new Map<string, KubeObject[]>();
  for (const obj of input.objects) {
    const file = fileFor(obj);
    const objects = byFile.get(file);
    if (objects) objects.push(obj);
    else byFile.set(file, [obj]);
  }
  const files: RenderedFile[] = [...byFile.keys()].sort().map((file) => ({ name: file, content: toYaml(byFile.get(file)!) }));
  if (input.namespace) {
    files.push({ name: README_FILE, content: folderReadme(input.name, input.namespace, byFile, provenance) });
  }
  const placed = [...byFile].flatMap(([file, objs]) => objs.map((object) => ({ object, file })));
  const index = buildIndex(input.name, placed, files, provenance, input.traffic);
  return { name: input.name, objects: input.objects, files: [...files, indexFile(index)], index, versionAdded };
}

/** The folder a chart renders into: its id, or its path joined with `-` for a nested chart. */
export function folderOf(chart: Chart): string {
  return chart.node.scopes.slice(1).map((s) => s.node.id).join('-');
}

function appVersionOf(chart: Chart, objects: KubeObject[]): string | undefined {
  const labelled = chart.labels[VERSION_LABEL];
  if (labelled) return labelled;
  const versions = [...new Set(objects.map((o) => o.metadata?.labels?.[VERSION_LABEL]).filter(Boolean))];
  return versions.length === 1 ? versions[0] : undefined;
}

/**
 * Runs every construct's validations once. Each message is written as the constructs' own are,
 * `<Construct> '<path>': <message>`, so one from cdk8s or a third-party construct reads like ours.
 */
export function validateConstructs(constructs: IConstruct[]): void {
  const errors = constructs.flatMap((c) => {
    const messages = c.node.validate();
    if (!messages.length) return [];
    const prefix = `${c.constructor?.name ?? 'Construct'} '${c.node.path}': `;
    return messages.map((e) => (/^\w+ '[^']*': /.test(e) ? e : `${prefix}${e}`));
  });
  if (errors.length) throw new ValidationError(`validation failed:\n  ${errors.join('\n  ')}`);
}

/**
 * Every chart of `app` as a folder input, validated once for the whole app. Objects come in
 * cdk8s's own order (dependencies first, then construct order), each in its closest chart.
 */
export function chartInputs(app: App, reserved: string[] = []): FolderInput[] {
  const constructs = app.node.findAll();
  // Duplicates are checked once, for the whole app (across charts too); the charts' own checks then stand down.
  const duplicates = appDuplicateObjects(app);
  validateConstructs(constructs);
  if (duplicates.length) throw new ValidationError(`two objects of one name:\n  ${duplicates.join('\n  ')}`);
  // What `app.charts` returns.
  const charts = inDependencyOrder(app, constructs).filter((c): c is Chart => c instanceof Chart);
  if (!charts.length) throw new Error('the app defines no charts: nothing to render');
  const owners = new Map<string, string>();
  return charts.map((chart) => {
    const name = folderOf(chart);
    if (!FOLDER_NAME.test(name)) {
      invalid(chart, 'its folder name (the chart id)', 'lowercase letters, digits, "-" and "." (use a lowercase chart id)', name);
    }
    if (reserved.includes(name)) invalid(chart, 'its folder name (the chart id)', `another name than ${reserved.map((r) => `"${r}"`).join(', ')} (reserved for the Argo CD objects)`, name);
    const other = owners.get(name);
    if (other !== undefined) invalid(chart, 'its folder name (the chart id)', `one no other chart renders ('${other}' renders "${name}" too; give one of them another id)`, name);
    owners.set(name, chart.node.path);
    const objects = inDependencyOrder(chart, chart.node.findAll())
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
      .map((o) => o.toJson());
    const traffic = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)?.data;
    return { name, objects, namespace: chart.namespace ?? singleNamespace(objects), appVersion: appVersionOf(chart, objects), traffic };
  });
}

/** Paths that are array indexes, which a plain object lists before its other keys, in numeric order. */
function isArrayIndex(key: string): boolean {
  return /^(?:0|[1-9][0-9]*)$/.test(key) && Number(key) < 2 ** 32 - 1;
}

/**
 * `constructs` (all of `scope`, in `findAll` order) in the order of cdk8s's
 * `new DependencyGraph(scope.node).topology()`, which is how `app.charts` and cdk8s's own synth order
 * charts and objects. When no construct has a dependency, that graph has no edges and lists the
 * constructs as it stored them: in `findAll` order, but keyed by path in a plain object, which puts
 * array-index keys (a top-level chart named "1") first. That order is taken here without building
 * the graph (which cost as much as all validations at N=100); with any dependency cdk8s orders them.
 */
function inDependencyOrder(scope: IConstruct, constructs: IConstruct[]): IConstruct[] {
  // Only the app's children have paths without a `/` (their ids); `node.path` is built anew on every read.
  const topLevelId = (c: IConstruct) => (c.node.scope !== undefined && c.node.scope.node.scope === undefined ? c.node.id : undefined);
  if (constructs.some((c) => c.node.dependencies.length > 0 || topLevelId(c) === '__proto__')) return new DependencyGraph(scope.node).topology();
  const indexes = constructs.filter((c) => isArrayIndex(topLevelId(c) ?? ''));
  if (!indexes.length) return constructs;
  const first = new Set(indexes);
  return [...indexes.sort((a, b) => Number(a.node.id) - Number(b.node.id)), ...constructs.filter((c) => !first.has(c))];
}

function singleNamespace(objects: KubeObject[]): string | undefined {
  const namespaces = [...new Set(objects.map((o) => o.metadata?.namespace).filter(Boolean))];
  return namespaces.length === 1 ? namespaces[0] : undefined;
}

/** `test: 30 objects in 12 files (Deployment ×8, ...), app 2026.11.4, sha256:0123abcd4567` */
export function progressLine(folder: RenderedFolderOutput): string {
  const kinds = new Map<string, number>();
  for (const o of folder.objects) kinds.set(kindOf(o), (kinds.get(kindOf(o)) ?? 0) + 1);
  const kindList = [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`).join(', ');
  const added = folder.versionAdded.length ? `; version label added to ${folder.versionAdded.length} unlabelled: ${folder.versionAdded.join(', ')}` : '';
  return `${folder.name}: ${folder.objects.length} objects in ${folder.files.length} files (${kindList}), `
    + `app ${folder.index.appVersions.join(', ') || '(none)'}, ${folder.index.digest.slice(0, 19)}${added}`;
}

/**
 * Set by `k8s-topology render` to the fresh, empty folder it gives the app as `CDK8S_OUTDIR`. The
 * CLI checks what the app writes there against the indexes and swaps it in itself, so the app
 * writes into it directly: the render is staged and swapped in once.
 */
export const STAGING_DIR_ENV = 'K8S_TOPOLOGY_STAGING_DIR';

/** Whether `outdir` is the CLI's staging folder ({@link STAGING_DIR_ENV}), still empty. */
function isCliStaging(outdir: string): boolean {
  const staging = process.env[STAGING_DIR_ENV];
  return !!staging && path.resolve(staging) === outdir && fs.existsSync(outdir) && fs.readdirSync(outdir).length === 0;
}

/** Writes each folder and its files into `dir`, which exists and is empty. */
export function writeFolderFiles(folders: RenderedFolderOutput[], dir: string): void {
  for (const folder of folders) {
    fs.mkdirSync(path.join(dir, folder.name));
    for (const file of folder.files) fs.writeFileSync(path.join(dir, folder.name, file.name), file.content);
  }
}

/**
 * Writes the folders as the whole content of `outdir`: into a fresh folder beside it first, then
 * swapped in, so a failure leaves the previous render as it was and no stale file survives. Under
 * `k8s-topology render`, whose staging folder `outdir` is, straight into it: the CLI swaps it in.
 */
export function writeFolders(folders: RenderedFolderOutput[], outdir: string): void {
  const target = path.resolve(outdir);
  if (isCliStaging(target)) {
    writeFolderFiles(folders, target);
    return;
  }
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}-new-`));
  try {
    writeFolderFiles(folders, staging);
    swapIn(staging, target);
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
}

/** Replaces `target` with `fresh` by two renames; the old tree is removed afterwards. */
export function swapIn(fresh: string, target: string): void {
  const old = `${fresh}-old`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}
