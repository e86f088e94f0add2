import { Testing } from 'cdk8s';
import { DjangoAppChart, DjangoAppChartProps } from '../../src';
import { TRAFFIC_METADATA } from '../../src/platform/traffic-model';

/**
 * A DjangoAppChart of app `shop` rendered in a fresh app, with the lookups the chart tests read it
 * through: an object by kind and name, a component's allow policy, and the recorded traffic model.
 */
export function synthShop(props: DjangoAppChartProps) {
  const app = Testing.app();
  const chart = new DjangoAppChart(app, 'shop', props);
  const objects = Testing.synth(chart);
  const find = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata.name === name);
  const policy = (component: string) => find('NetworkPolicy', `allow-${component}`)?.spec;
  const model = chart.node.metadata.find((m) => m.type === TRAFFIC_METADATA)!.data;
  return { app, chart, objects, find, policy, model };
}

/** The selector of one of the shop's components, as its NetworkPolicies name it. */
export const shopComponent = (name: string) => ({
  matchLabels: { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': name },
});
