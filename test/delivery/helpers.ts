import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { main } from '../../src/cli/main';

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
}

/** Every file under `dir` as `relative path → content`. */
export function readTree(dir: string, prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) Object.assign(out, readTree(dir, rel));
    else out[rel] = fs.readFileSync(path.join(dir, rel), 'utf8');
  }
  return out;
}

export interface DeploymentOptions {
  component?: string;
  replicas?: number;
  requests?: Record<string, string>;
  env?: any[];
  selector?: Record<string, string>;
}

export function deployment(name: string, extra: DeploymentOptions = {}) {
  const component = extra.component ?? name;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': component, 'app.kubernetes.io/version': '1.0' } },
    spec: {
      replicas: extra.replicas,
      selector: { matchLabels: extra.selector ?? { 'app.kubernetes.io/component': component } },
      template: {
        metadata: { labels: { 'app.kubernetes.io/component': component } },
        spec: { containers: [{ name, image: `img/${name}:1`, env: extra.env, resources: { requests: extra.requests ?? { cpu: '100m', memory: '128Mi' } } }] },
      },
    },
  };
}

export function service(name: string, component = name, port = 80) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': component, 'app.kubernetes.io/version': '1.0' } },
    spec: { selector: { 'app.kubernetes.io/component': component }, ports: [{ port }] },
  };
}

export interface Run {
  code: number;
  out: string;
  err: string;
}

/** Runs the CLI in `cwd` as `npx k8s-topology ...` would, capturing its output. */
export function cli(cwd: string, ...argv: string[]): Run {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => { out.push(a.join(' ')); });
  const error = jest.spyOn(console, 'error').mockImplementation((...a: unknown[]) => { err.push(a.join(' ')); });
  const before = process.cwd();
  try {
    process.chdir(cwd);
    return { code: main(argv), out: out.join('\n'), err: err.join('\n') };
  } finally {
    process.chdir(before);
    log.mockRestore();
    error.mockRestore();
  }
}
