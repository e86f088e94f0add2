import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { invalid } from '../platform/errors';

/** The cdk8s project in a folder, as `cdk8s synth` reads it from `cdk8s.yaml`. */
export interface Cdk8sProject {
  /** The command that runs the app, if cdk8s.yaml names one. */
  readonly app?: string;
  /** The output folder, relative to the project. */
  readonly output: string;
}

export const DEFAULT_OUTPUT = 'dist/manifests';

export function readCdk8sYaml(dir: string = process.cwd()): Cdk8sProject | undefined {
  const file = path.join(dir, 'cdk8s.yaml');
  if (!fs.existsSync(file)) return undefined;
  let config: any;
  try {
    config = parse(fs.readFileSync(file, 'utf8')) ?? {};
  } catch (e) {
    throw new Error(`${file}: not valid YAML (${(e as Error).message})`);
  }
  if (typeof config !== 'object' || Array.isArray(config)) invalid(file, 'the file', 'a mapping with "app" and "output"', config);
  if (config.app !== undefined && (typeof config.app !== 'string' || config.app.trim() === '')) {
    invalid(file, '"app"', 'the command that runs the app, e.g. "node main.js"', config.app);
  }
  if (config.output !== undefined && typeof config.output !== 'string') {
    invalid(file, '"output"', 'a folder', config.output);
  }
  return { app: config.app, output: config.output ?? DEFAULT_OUTPUT };
}

/** The render folder of the project in the working directory: cdk8s.yaml's output, else dist/manifests. */
export function projectOutput(): string {
  return readCdk8sYaml()?.output ?? DEFAULT_OUTPUT;
}
