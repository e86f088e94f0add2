import * as fs from 'fs';
import * as path from 'path';
import { App, Yaml } from 'cdk8s';
import { PicvarioEnvironment } from './environment-chart';
import { EnvironmentSpec } from './spec';

/** One rendered file: its name in the environment folder and its YAML text. */
export interface RenderedFile {
  readonly name: string;
  readonly content: string;
}

/** The rendered files of one environment. */
export interface RenderedEnvironment {
  readonly name: string;
  readonly objects: any[];
  readonly files: RenderedFile[];
}

/** Objects without a component (the namespace and other environment-wide policy) go first. */
export const ENVIRONMENT_FILE = '00-environment.yaml';

function fileFor(obj: any): string {
  const component = obj.metadata?.labels?.['app.kubernetes.io/component'];
  return component ? `${component}.yaml` : ENVIRONMENT_FILE;
}

/**
 * Builds an environment in memory. Construct validation runs here, so invalid props fail
 * before anything is written.
 */
export function renderEnvironment(spec: EnvironmentSpec): RenderedEnvironment {
  const app = new App();
  const chart = new PicvarioEnvironment(app, spec.name, spec);
  const errors = app.node.findAll().flatMap((c) => c.node.validate().map((e) => `${c.node.path}: ${e}`));
  if (errors.length) throw new Error(`environment ${spec.name} failed validation:\n${errors.join('\n')}`);
  const objects = chart.toJson();
  const byFile = new Map<string, any[]>();
  for (const obj of objects) {
    const file = fileFor(obj);
    byFile.set(file, [...(byFile.get(file) ?? []), obj]);
  }
  const files = [...byFile.keys()].sort().map((name) => ({ name, content: Yaml.stringify(...byFile.get(name)!) }));
  return { name: spec.name, objects, files };
}

/**
 * Renders every environment into `<outdir>/<environment>/`.
 *
 * All environments are built in memory first; only then is a fresh tree written next to
 * `outdir` and swapped in. A failed render leaves the previous one untouched, and files
 * of objects that no longer exist never linger.
 */
export function renderAll(specs: EnvironmentSpec[], outdir: string, log: (line: string) => void = () => {}): RenderedEnvironment[] {
  const names = specs.map((s) => s.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new Error(`environment name "${duplicate}" is used twice`);
  const rendered = specs.map(renderEnvironment);

  const parent = path.dirname(path.resolve(outdir));
  fs.mkdirSync(parent, { recursive: true });
  const staging = fs.mkdtempSync(path.join(parent, `.${path.basename(outdir)}-new-`));
  try {
    for (const env of rendered) {
      fs.mkdirSync(path.join(staging, env.name));
      for (const file of env.files) fs.writeFileSync(path.join(staging, env.name, file.name), file.content);
      log(`${env.name}: ${env.objects.length} objects in ${env.files.length} files`);
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
