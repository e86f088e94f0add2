import { parseAllDocuments } from 'yaml';
import { BrokerKind, DeliveryApp, DjangoAppChart, QueuePriority } from '../../../src';
import { synthAndRead, tempOutdir } from '../../support/render';

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

function argoFolder(previews: boolean) {
  const app = new DeliveryApp({
    packageName: '@shop/deploy',
    packageVersion: '2.3.4',
    outdir: tempOutdir('argocd-previews'),
    annotationDomain: 'shop.example.com',
    argoCd: { repoUrl: 'https://git.example.com/shop/deploy.git', ...(previews ? { previews: {} } : {}) },
  });
  new DjangoAppChart(app, 'staging', {
    appName: 'shop',
    namespace: 'shop-staging',
    version: '1.4.0',
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: size },
    workers: { queues: [{ name: 'default', priority: QueuePriority.NORMAL, resources: size }] },
    externalServices: [{ name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] }, { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] }],
  });
  const folder = synthAndRead(app).find((f) => f.name === 'argocd')!;
  const file = (name: string) => folder.files.find((f) => f.name === name);
  const docs = (name: string) => parseAllDocuments(file(name)!.content).map((d) => d.toJSON());
  return { folder, file, docs };
}

describe('GIVEN argoCd.previews on a DeliveryApp', () => {
  const { file, docs } = argoFolder(true);
  const [set] = docs('previews.yaml');

  test('THEN previews.yaml holds an ApplicationSet with a git directory generator over previews/* of the rendered branch', () => {
    expect(set.kind).toBe('ApplicationSet');
    expect(set.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(set.metadata).toMatchObject({ name: 'shop-previews', namespace: 'argocd' });
    expect(set.spec.goTemplate).toBe(true);
    expect(set.spec.generators).toEqual([{ git: { repoURL: 'https://git.example.com/shop/deploy.git', revision: 'rendered', directories: [{ path: 'previews/*' }] } }]);
  });

  test('THEN each generated Application syncs its folder\'s manifests with prune into <app>-pr-<n>, and deletes its resources with it', () => {
    const template = set.spec.template;
    expect(template.metadata.name).toBe('shop-previews-{{.path.basename}}');
    expect(template.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(template.spec.project).toBe('shop');
    expect(template.spec.source).toEqual({ repoURL: 'https://git.example.com/shop/deploy.git', targetRevision: 'rendered', path: '{{.path.path}}', directory: { include: '*.yaml' } });
    expect(template.spec.destination).toEqual({ server: 'https://kubernetes.default.svc', namespace: 'shop-{{.path.basename}}' });
    expect(template.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
    expect(template.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true', 'CreateNamespace=true']);
    expect(template.spec.syncPolicy.managedNamespaceMetadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted');
    expect(set.spec.syncPolicy).toEqual({ applicationsSync: 'sync', preserveResourcesOnDeletion: false });
  });

  test('THEN the project lets previews deploy to shop-pr-* and the root may manage the ApplicationSet', () => {
    const [project, bootstrap] = docs('00-projects.yaml');
    expect(project.spec.destinations).toContainEqual({ namespace: 'shop-pr-*', server: 'https://kubernetes.default.svc' });
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: '', kind: 'Namespace' });
    expect(bootstrap.spec.namespaceResourceWhitelist).toEqual([{ group: 'argoproj.io', kind: 'Application' }, { group: 'argoproj.io', kind: 'ApplicationSet' }]);
    expect(file('00-root.yaml')).toBeDefined();
  });
});

describe('GIVEN no argoCd.previews', () => {
  test('THEN the Argo CD folder has no ApplicationSet and no preview destination', () => {
    const { folder, docs } = argoFolder(false);
    expect(folder.files.map((f) => f.name)).not.toContain('previews.yaml');
    const [project, bootstrap] = docs('00-projects.yaml');
    expect(project.spec.destinations).toEqual([{ namespace: 'shop-staging', server: 'https://kubernetes.default.svc' }]);
    expect(bootstrap.spec.namespaceResourceWhitelist).toEqual([{ group: 'argoproj.io', kind: 'Application' }]);
  });
});
