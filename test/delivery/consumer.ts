// A consumer project for the CLI tests (cli.test.ts, cli.integration.ts): a package.json and an app
// module next to it, and the apps they render.
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './helpers';

const REPO = path.resolve(__dirname, '../..');
// The consumer resolves cdk8s from this repository's node_modules, and compiles our src as ES2022.
export const TS_NODE = `NODE_PATH=${path.join(REPO, 'node_modules')} TS_NODE_COMPILER_OPTIONS='{"target":"es2022","module":"node16","moduleResolution":"node16"}' `
  + `${path.join(REPO, 'node_modules/.bin/ts-node')} --transpile-only`;
export const LIBRARY = JSON.stringify(path.join(REPO, 'src'));

/** A consumer project: a package.json, and an app module next to it. */
export function consumer(app: string, pkg: object = { name: 'shop-deploy', version: '3.1.0', repository: 'https://git.example.com/shop.git' }): string {
  const dir = tempDir('consumer');
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg));
  fs.writeFileSync(path.join(dir, 'app.ts'), app);
  return dir;
}

export const DELIVERY_APP = `
import { Chart, ApiObject } from 'cdk8s';
const t = require(${LIBRARY});
const app = new t.DeliveryApp({ argoCd: {} });
const chart = new Chart(app, 'production', { namespace: 'shop', labels: { 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': '7.0.0' } });
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels: { 'app.kubernetes.io/component': 'web' } } });
app.synth();
`;

export const PLAIN_APP = `
import { App, Chart, ApiObject } from 'cdk8s';
const app = new App();
const chart = new Chart(app, 'staging', { namespace: 'shop-staging' });
new ApiObject(chart, 'cm', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings', labels: { 'app.kubernetes.io/version': '6.0.0' } } });
app.synth();
`;
