import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { chartInputs, folderOf } from '../../src/delivery/render';

/** Charts (as folders) and their objects' names, in cdk8s's order. */
export function cdk8sOrder(app: App): [string, string[]][] {
  return app.charts.map((chart) => [folderOf(chart), new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.name)]);
}

/** Charts (as folders) and their objects' names, in the order the render takes them. */
export function renderOrder(app: App): [string, string[]][] {
  return chartInputs(app).map((input) => [input.name, input.objects.map((o) => o.metadata.name)]);
}
