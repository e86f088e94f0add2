import { ApiObject, App, Chart, DependencyGraph } from 'cdk8s';
import { chartInputs, folderOf } from '../../src/delivery/render';
import { ENVIRONMENTS } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';

// The render takes charts and objects in cdk8s's own order (app.charts, and each chart's dependency
// graph); without dependencies it takes that order without building the graphs. Either way it must
// be exactly cdk8s's.

/** Charts (as folders) and their objects' names, in cdk8s's order. */
function cdk8sOrder(app: App): [string, string[]][] {
  return app.charts.map((chart) => [folderOf(chart), new DependencyGraph(chart.node).topology()
    .filter((c): c is ApiObject => c instanceof ApiObject && Chart.of(c) === chart)
    .map((o) => o.name)]);
}

function renderOrder(app: App): [string, string[]][] {
  return chartInputs(app).map((input) => [input.name, input.objects.map((o) => o.metadata.name)]);
}

function configMap(scope: Chart, id: string): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${scope.node.id}-${id}` } });
}

describe('GIVEN an app WHEN the render takes its charts and objects THEN they come in cdk8s\'s order', () => {
  test('the Picvario environments', () => {
    const order = renderOrder(picvarioApp('/unused', ENVIRONMENTS));
    expect(order.map(([folder]) => folder)).toEqual(['test', 'staging', 'production']);
    expect(order).toEqual(cdk8sOrder(picvarioApp('/unused', ENVIRONMENTS)));
  });

  test('charts whose ids are numbers (listed first by cdk8s), nested charts and numbered objects', () => {
    const build = () => {
      const app = new App();
      for (const id of ['b', '10', 'a', '2', '0']) {
        const chart = new Chart(app, id, { disableResourceNameHashes: true });
        for (const obj of ['9', 'x', '1', 'y']) configMap(chart, obj);
        if (id === 'a') {
          const inner = new Chart(chart, 'inner', { disableResourceNameHashes: true });
          for (const obj of ['3', 'z']) configMap(inner, obj);
        }
      }
      return app;
    };
    const order = renderOrder(build());
    expect(order.map(([folder]) => folder)).toEqual(['0', '2', '10', 'b', 'a', 'a-inner']);
    expect(order).toEqual(cdk8sOrder(build()));
  });

  test('objects with dependencies between them, inside a chart and across charts', () => {
    const build = () => {
      const app = new App();
      const first = new Chart(app, 'first', { disableResourceNameHashes: true });
      const second = new Chart(app, 'second', { disableResourceNameHashes: true });
      const [a, b, c] = ['a', 'b', 'c'].map((id) => configMap(second, id));
      a.addDependency(c);
      b.addDependency(a);
      configMap(first, 'x').addDependency(b);
      return app;
    };
    const order = renderOrder(build());
    expect(order).toEqual([['first', ['first-x']], ['second', ['second-c', 'second-a', 'second-b']]]);
    expect(order).toEqual(cdk8sOrder(build()));
  });
});
