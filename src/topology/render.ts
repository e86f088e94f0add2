import * as fs from 'fs';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import { ARGOCD_FOLDER, argoCdFileFor, argoCdObjects } from './argocd';
import { PicvarioEnvironment } from './environment-chart';
import { environmentReadme, README_FILE } from './environment-readme';
import { EnvironmentSpec } from './environment-spec';
import { componentOf, describe, KubeObject, kindOf, VERSION_LABEL } from './kube-object';
import { PACKAGE_VERSION_ANNOTATION, PackageInfo, packageInfo } from './package-info';
import { buildIndex, indexFile, RenderedFile, RenderIndex } from './render-index';

export { RenderedFile } from './render-index';

/** A rendered folder: its objects and every file written into it, index included. */
export interface RenderedEnvironment {
  readonly name: string;
  readonly objects: KubeObject[];
  readonly files: RenderedFile[];
  readonly index: RenderIndex;
  /** Objects that had no `app.kubernetes.io/version` label and got the folder's version. */
  readonly versionAdded: string[];
}

/** Objects without a component (the namespace and other environment-wide policy) go first. */
export const ENVIRONMENT_FILE = '00-environment.yaml';

function fileFor(obj: KubeObject): string {
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
 * A missing version label is added rather than failed on: objects such as PriorityClasses are
 * made with the low-level API and carry no labels, yet they belong to the environment's release.
 * Each object that got one is reported, so the gap stays visible in the progress line.
 */
export function stampVersions(objects: KubeObject[], appVersion: string, pkg: PackageInfo): string[] {
  const added: string[] = [];
  for (const obj of objects) {
    obj.metadata = obj.metadata ?? {};
    const labels = { ...(obj.metadata.labels ?? {}) };
    if (!labels[VERSION_LABEL]) {
      labels[VERSION_LABEL] = appVersion;
      added.push(describe(obj));
    }
    obj.metadata.labels = sortedRecord(labels);
    obj.metadata.annotations = sortedRecord({ ...(obj.metadata.annotations ?? {}), [PACKAGE_VERSION_ANNOTATION]: pkg.version });
  }
  return added;
}

interface FolderOptions {
  readonly fileFor: (obj: KubeObject) => string;
  /** The namespace shown in the README; no README when left out. */
  readonly readmeNamespace?: string;
}

/** Groups objects into files, adds the README and the index. */
export function renderFolder(name: string, objects: KubeObject[], pkg: PackageInfo, options: FolderOptions): Omit<RenderedEnvironment, 'versionAdded'> {
  const byFile = new Map<string, KubeObject[]>();
  for (const obj of objects) {
    const file = options.fileFor(obj);
    byFile.set(file, [...(byFile.get(file) ?? []), obj]);
  }
  const files: RenderedFile[] = [...byFile.keys()].sort().map((file) => ({ name: file, content: Yaml.stringify(...byFile.get(file)!) }));
  if (options.readmeNamespace) {
    files.push({ name: README_FILE, content: environmentReadme(name, options.readmeNamespace, byFile, pkg) });
  }
  const placed = [...byFile].flatMap(([file, objs]) => objs.map((object) => ({ object, file })));
  const index = buildIndex(name, placed, files, pkg);
  return { name, objects, files: [...files, indexFile(index)], index };
}

/**
 * Builds an environment in memory. Construct validation runs here, so invalid props fail
 * before anything is written.
 */
export function renderEnvironment(spec: EnvironmentSpec, pkg: PackageInfo = packageInfo()): RenderedEnvironment {
  const app = new App();
  const chart = new PicvarioEnvironment(app, spec.name, spec);
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
  if (errors.length) throw new Error(`environment ${spec.name} failed validation:\n${errors.join('\n')}`);
  const objects = chart.toJson();
  const versionAdded = stampVersions(objects, spec.appVersion, pkg);
  return { ...renderFolder(spec.name, objects, pkg, { fileFor, readmeNamespace: spec.namespace }), versionAdded };
}

/** The Argo CD folder for already rendered environments. */
export function renderArgoCd(specs: EnvironmentSpec[], rendered: RenderedEnvironment[], pkg: PackageInfo): RenderedEnvironment {
  if (!pkg.repositoryUrl) throw new Error('package.json has no repository URL; the Argo CD Applications need one');
  const targets = specs.map((spec, i) => ({
    folder: spec.name,
    namespace: spec.namespace,
    appVersion: spec.appVersion,
    objects: rendered[i].objects,
  }));
  const objects = argoCdObjects(targets, { repoUrl: pkg.repositoryUrl }, pkg);
  const versionAdded = stampVersions(objects, pkg.version, pkg);
  return { ...renderFolder(ARGOCD_FOLDER, objects, pkg, { fileFor: argoCdFileFor }), versionAdded };
}

/** `test: 30 objects in 12 files (Deployment ×8, ...), app 2026.11.4, sha256:0123abcd4567` */
export function progressLine(env: RenderedEnvironment): string {
  const kinds = new Map<string, number>();
  for (const o of env.objects) kinds.set(kindOf(o), (kinds.get(kindOf(o)) ?? 0) + 1);
  const kindList = [...kinds].sort(([a], [b]) => a.localeCompare(b)).map(([k, n]) => `${k} ×${n}`).join(', ');
  const added = env.versionAdded.length ? `; version label added to ${env.versionAdded.length} unlabelled: ${env.versionAdded.join(', ')}` : '';
  return `${env.name}: ${env.objects.length} objects in ${env.files.length} files (${kindList}), `
    + `app ${env.index.appVersions.join(', ')}, ${env.index.digest.slice(0, 19)}${added}`;
}

export interface RenderOptions {
  /** @default - this package's own package.json */
  readonly pkg?: PackageInfo;
  /** Also render the Argo CD folder (`<outdir>/argocd/`). @default false */
  readonly argoCd?: boolean;
}

/**
 * Renders every environment into `<outdir>/<environment>/`, and with `argoCd` their Argo CD
 * objects into `<outdir>/argocd/`.
 *
 * All folders are built in memory first; only then is a fresh tree written next to
 * `outdir` and swapped in. A failed render leaves the previous one untouched, and files
 * of objects that no longer exist never linger.
 */
export function renderAll(
  specs: EnvironmentSpec[],
  outdir: string,
  log: (line: string) => void = () => {},
  options: RenderOptions = {},
): RenderedEnvironment[] {
  const pkg = options.pkg ?? packageInfo();
  const names = [...specs.map((s) => s.name), ...(options.argoCd ? [ARGOCD_FOLDER] : [])];
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`environment name "${duplicate}" is used twice (or is the reserved "${ARGOCD_FOLDER}")`);
  const environments = specs.map((spec) => renderEnvironment(spec, pkg));
  const rendered = options.argoCd ? [...environments, renderArgoCd(specs, environments, pkg)] : environments;

  const parent = path.dirname(path.resolve(outdir));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}-new-`));
  try {
    for (const env of rendered) {
      fs.mkdirSync(path.join(staging, env.name));
      for (const file of env.files) fs.writeFileSync(path.join(staging, env.name, file.name), file.content);
      log(progressLine(env));
    }
    swapIn(staging, path.resolve(outdir));
  } catch (e) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw e;
  }
  return rendered;
}

function swapIn(fresh: string, target: string): void {
  const old = `${fresh}-old`;
  const hadTarget = fs.existsSync(target);
  if (hadTarget) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  if (hadTarget) fs.rmSync(old, { recursive: true, force: true });
}
