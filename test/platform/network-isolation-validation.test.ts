import { ApiObject, App, Chart, IResolver, JsonPatch, Lazy, ResolutionContext, Testing } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { NetworkIsolation } from '../../src';

// The check that every component a rule names is rendered reads each object's pod-template labels
// without serializing the object, unless cdk8s could still change them; either way it must see
// exactly what the manifests will say.

const COMPONENT = 'app.kubernetes.io/component';

function chartWith(app: App = Testing.app()): Chart {
  return new Chart(app, 'test', { namespace: 'ns', disableResourceNameHashes: true });
}

function template(component: unknown) {
  return { metadata: { labels: { [COMPONENT]: component } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
}

/** The validation errors once a rule routes backend → search. */
function errors(chart: Chart): string[] {
  new NetworkIsolation(chart, 'net', { appName: 'shop', rules: [{ fromComponent: 'backend', toComponent: 'search', ports: [9200] }] });
  return chart.node.findAll().flatMap((c) => c.node.validate());
}

const missing = (rendered: string) => [
  `NetworkIsolation 'test/net': rules route to component "search", which no workload renders; rendered components: ${rendered}`,
];

function deployment(chart: Chart, id: string, component: unknown): k8s.KubeDeployment {
  return new k8s.KubeDeployment(chart, id, { metadata: { name: id }, spec: { selector: {}, template: template(component) as k8s.PodTemplateSpec } });
}

describe('NetworkIsolation: which components are rendered', () => {
  test('GIVEN Deployments for both components THEN nothing is missing', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    deployment(chart, 'search', 'search');
    expect(errors(chart)).toEqual([]);
  });

  test('GIVEN a plain ApiObject with a pod template THEN its component counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    new ApiObject(chart, 'search', { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'search' }, spec: { template: template('search') } });
    expect(errors(chart)).toEqual([]);
  });

  test('GIVEN a JSON patch that renames the component THEN the patched name counts, not the given one', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    deployment(chart, 'search', 'search').addJsonPatch(JsonPatch.replace(`/spec/template/metadata/labels/${COMPONENT.replace('/', '~1')}`, 'opensearch'));
    expect(errors(chart)).toEqual(missing('backend, opensearch'));
  });

  test('GIVEN a JSON patch that moves the label out of the pod template THEN it no longer counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    const label = `/spec/template/metadata/labels/${COMPONENT.replace('/', '~1')}`;
    deployment(chart, 'search', 'search').addJsonPatch(JsonPatch.move(label, '/metadata/annotations'));
    expect(errors(chart)).toEqual(missing('backend'));
  });

  test('GIVEN JSON patches outside spec (the namespace of a cluster-scoped object) THEN the pod template label still counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    deployment(chart, 'search', 'search').addJsonPatch(JsonPatch.remove('/metadata/namespace'), JsonPatch.add('/metadata/annotations', { a: 'b' }));
    expect(errors(chart)).toEqual([]);
  });

  test('GIVEN the label as a Lazy value THEN its value counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    deployment(chart, 'search', Lazy.any({ produce: () => 'search' }));
    expect(errors(chart)).toEqual([]);
  });

  test('GIVEN a custom resolver that rewrites the label THEN the rewritten value counts', () => {
    class Rename implements IResolver {
      public resolve(context: ResolutionContext): void {
        if (context.value === 'search') context.replaceValue('opensearch');
      }
    }
    const chart = chartWith(new App({ resolvers: [new Rename()] }));
    deployment(chart, 'backend', 'backend');
    deployment(chart, 'search', 'search');
    expect(errors(chart)).toEqual(missing('backend, opensearch'));
  });

  test('GIVEN a component label outside a pod template (a Service, a CronJob\'s own metadata) THEN it does not count', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    new k8s.KubeCronJob(chart, 'search', {
      metadata: { name: 'search', labels: { [COMPONENT]: 'search' } },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template('opensearch') as k8s.PodTemplateSpec } } },
    });
    new k8s.KubeService(chart, 'search-service', { metadata: { name: 'search', labels: { [COMPONENT]: 'search' } }, spec: { selector: { [COMPONENT]: 'search' } } });
    expect(errors(chart)).toEqual(missing('backend, opensearch'));
  });

  test('GIVEN a CronJob THEN the pod template of the Job it creates (spec.jobTemplate.spec.template) counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    new k8s.KubeCronJob(chart, 'search', {
      metadata: { name: 'search' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template('search') as k8s.PodTemplateSpec } } },
    });
    expect(errors(chart)).toEqual([]);
  });

  test('GIVEN a CronJob whose pod template label a JSON patch renames THEN the patched name counts', () => {
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    new k8s.KubeCronJob(chart, 'search', {
      metadata: { name: 'search' },
      spec: { schedule: '* * * * *', jobTemplate: { spec: { template: template('search') as k8s.PodTemplateSpec } } },
    }).addJsonPatch(JsonPatch.replace(`/spec/jobTemplate/spec/template/metadata/labels/${COMPONENT.replace('/', '~1')}`, 'opensearch'));
    expect(errors(chart)).toEqual(missing('backend, opensearch'));
  });

  test('GIVEN a class with its own serialization THEN what it serializes counts', () => {
    class Renamed extends ApiObject {
      public toJson(): any {
        const json = super.toJson();
        json.spec.template.metadata.labels[COMPONENT] = 'opensearch';
        return json;
      }
    }
    const chart = chartWith();
    deployment(chart, 'backend', 'backend');
    new Renamed(chart, 'search', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'search' }, spec: { template: template('search') } });
    expect(errors(chart)).toEqual(missing('backend, opensearch'));
  });
});
