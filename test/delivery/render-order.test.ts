import { ApiObject, App, Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { cdk8sOrder, renderOrder } from '../support/render-order';

// The render takes charts and objects in cdk8s's own order (app.charts, and each chart's dependency
// graph); without dependencies it takes that order without building the graphs. Either way it must
// be exactly cdk8s's.

function configMap(scope: Chart, id: string): ApiObject {
  return new ApiObject(scope, id, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${scope.node.id}-${id}` } });
}

describe('GIVEN an app WHEN the render takes its charts and objects THEN they come in cdk8s\'s order', () => {
  test('a consumer\'s charts of components: objects inside constructs inside the charts', () => {
    const build = () => {
      const app = new App();
      for (const id of ['test', 'staging', 'production']) {
        const chart = new Chart(app, id, { disableResourceNameHashes: true });
        configMap(chart, 'namespace');
        for (const component of ['web', 'worker', 'edge']) {
          const scope = new Construct(chart, component);
          for (const obj of ['deployment', 'service']) {
            new ApiObject(scope, obj, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `${id}-${component}-${obj}` } });
          }
        }
        configMap(chart, 'policy');
      }
      return app;
    };
    const order = renderOrder(build());
    expect(order.map(([folder]) => folder)).toEqual(['test', 'staging', 'production']);
    expect(order[0][1]).toEqual(['test-namespace', 'test-web-deployment', 'test-web-service', 'test-worker-deployment', 'test-worker-service',
      'test-edge-deployment', 'test-edge-service', 'test-policy']);
    expect(order).toEqual(cdk8sOrder(build()));
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
