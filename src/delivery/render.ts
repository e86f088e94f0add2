import * as fs from 'fs';
import * as path from 'path';
import { App, Chart, DependencyGraph, ApiObject, Yaml } from 'cdk8s';
import { folderReadme, README_FILE } from './folder-readme';
import { componentOf, describe, KubeObject, kindOf, VERSION_LABEL } from './kube-object';
import { Provenance } from './provenance';
import { buildIndex, indexFile, RenderedFile, RenderIndex } from './render-index';
import { TRAFFIC_METADATA } from '../platform/traffic-model';
import { duplicateObjects } from '../platform/unique-objects';

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

const FOLDER_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export function componentFile(obj: KubeObject): string {
  const component = componentOf(obj);
  return component ? `${component}.yaml` : ENVIRONMENT_FILE;
}

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
    byFile.set(file, [...(byFile.get(file) ?? []), obj]);
  }
  const files: RenderedFile[] = [...byFile.keys()].sort().map((file) => ({ name: file, content: Yaml.stringify(...byFile.get(file)!) }));
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
function validate(app: App): void {
  const errors = app.node.findAll().flatMap((c) => {
    const prefix = `${c.constructor?.name ?? 'Construct'} '${c.node.path}': `;
    return c.node.validate().map((e) => (/^\w+ '[^']*': /.test(e) ? e : `${prefix}${e}`));
  });
  if (errors.length) throw new Error(`validation failed:\n  ${errors.join('\n  ')}`);
}

/**
 * Every chart of `app` as a folder input, validated once for the whole app. Objects come in
 * cdk8s's own order (dependencies first, then construct order), each in its closest chart.
 */
export function chartInputs(app: App, reserved: string[] = []): FolderInput[] {
  validate(app);
  const duplicates = duplicateObjects(app);
  if (duplicates.length) throw new Error(`two objects of one name:\n  ${duplicates.join('\n  ')}`);
  const charts = app.charts;
  if (!charts.length) throw new Error('the app defines no charts: nothing to render');
  const owners = new Map<string, string>();
  return charts.map((chart) => {
    const name = folderOf(chart);
    if (!FOLDER_NAME.test(name)) {
      throw new Error(`chart '${chart.node.path}': its folder name "${name}" must be lowercase letters, digits, "-" and "." (use a lowercase chart id)`);
    }
    if (reserved.includes(name)) throw new Error(`chart '${chart.node.path}': folder "${name}" is reserved for the Argo CD objects; give the chart another id`);
    const other = owners.get(name);
    if (other !== undefined) throw new Error(`charts '${other}' and '${chart.node.path}' both render folder "${name}"; give one of them another id`);
    owners.set(name, chart.node.path);
    const objects = new DependencyGraph(chart.node).topology()
      .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
      .map((o) => o.toJson());
    const traffic = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)?.data;
    return { name, objects, namespace: chart.namespace ?? singleNamespace(objects), appVersion: appVersionOf(chart, objects), traffic };
  });
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
 * Writes the folders as the whole content of `outdir`: into a fresh folder beside it first, then
 * swapped in, so a failure leaves the previous render as it was and no stale file survives.
 */
export function writeFolders(folders: RenderedFolderOutput[], outdir: string): void {
  const target = path.resolve(outdir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(target)}-new-`));
  try {
    for (const folder of folders) {
      fs.mkdirSync(path.join(staging, folder.name));
      for (const file of folder.files) fs.writeFileSync(path.join(staging, folder.name, file.name), file.content);
    }
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
