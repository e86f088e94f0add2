import { Chart, Testing } from 'cdk8s';
import { BrokerKind, CeleryBroker, DjangoSettings } from '../../src';

/** A chart in namespace `ns`, as an environment would create it. */
export function newChart(): Chart {
  return new Chart(Testing.app(), 'test', { namespace: 'ns', disableResourceNameHashes: true });
}

/** Synthesizes the chart and returns its objects. */
export function objects(chart: Chart): any[] {
  return Testing.synth(chart);
}

/** The one object of `kind` named `name`; fails the test if there is not exactly one. */
export function find(all: any[], kind: string, name: string): any {
  const found = all.filter((o) => o.kind === kind && o.metadata?.name === name);
  if (found.length !== 1) throw new Error(`expected one ${kind}/${name}, found ${found.length}: ${all.map((o) => `${o.kind}/${o.metadata?.name}`).join(', ')}`);
  return found[0];
}

export const settings = (): DjangoSettings => new DjangoSettings({
  settingsModule: 'app.settings',
  secretName: 'app-secret',
  mediaBucket: 'media-bucket',
  staticBucket: 'static-bucket',
  s3Region: 'eu-central-1',
});

export const redis = (): CeleryBroker => new CeleryBroker({ kind: BrokerKind.REDIS, secretName: 'broker' });
export const rabbit = (): CeleryBroker => new CeleryBroker({ kind: BrokerKind.RABBITMQ, secretName: 'broker' });

export const small = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

export function container(deployment: any): any {
  return deployment.spec.template.spec.containers[0];
}

export function envMap(c: any): Record<string, any> {
  return Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
}
