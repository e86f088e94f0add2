import { renderPicvario } from './render-picvario';
import { ENVIRONMENTS } from '../../src/picvario/environments';

describe('the Picvario Argo CD folder', () => {
  const folders = renderPicvario();
  const argocd = folders.find((f) => f.name === 'argocd')!;
  const apps = argocd.objects.filter((o) => o.kind === 'Application');
  const project = argocd.objects.find((o) => o.kind === 'AppProject' && o.metadata.name === 'picvario')!;

  test('one Application per environment, following its folder on the rendered branch', () => {
    for (const env of ENVIRONMENTS) {
      const app = apps.find((a) => a.spec.source.path === env.name)!;
      expect(app.spec.source).toEqual({ repoURL: 'https://github.com/picvario/k8s-topology.git', targetRevision: 'rendered', path: env.name, directory: { include: '*.yaml' } });
      expect(app.spec.destination.namespace).toBe(env.namespace);
      expect(app.spec.project).toBe('picvario');
      expect(app.spec.syncPolicy.syncOptions).toEqual(['ServerSideApply=true']);
      expect(app.spec.syncPolicy.automated).toEqual({ prune: true, selfHeal: true });
      expect(app.metadata.labels['app.kubernetes.io/version']).toBe(env.appVersion);
    }
  });

  test('a root Application syncs the argocd folder itself (app of apps) in a project of its own', () => {
    const root = apps.find((a) => a.spec.source.path === 'argocd')!;
    expect(root.spec.project).toBe('picvario-apps');
    expect(root.spec.destination.namespace).toBe('argocd');
  });

  test('the project allows exactly the environment namespaces and the cluster-scoped kinds rendered', () => {
    expect(project.spec.destinations.map((d: any) => d.namespace)).toEqual(ENVIRONMENTS.map((e) => e.namespace));
    const clusterScoped = new Set(folders.filter((f) => f.name !== 'argocd').flatMap((f) => f.objects).filter((o) => !o.metadata.namespace).map((o) => o.kind));
    expect(project.spec.clusterResourceWhitelist.map((k: any) => k.kind).sort()).toEqual([...clusterScoped].sort());
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: '', kind: 'Namespace' });
    expect(project.spec.clusterResourceWhitelist).toContainEqual({ group: 'scheduling.k8s.io', kind: 'PriorityClass' });
  });

  test('the environments\' project may create exactly the namespaced kinds rendered: no Role, RoleBinding or Secret', () => {
    const namespaced = new Set(folders.filter((f) => f.name !== 'argocd').flatMap((f) => f.objects).filter((o) => o.metadata.namespace).map((o) => o.kind));
    expect(project.spec.namespaceResourceWhitelist.map((k: any) => k.kind).sort()).toEqual([...namespaced].sort());
    for (const kind of ['Role', 'RoleBinding', 'Secret']) expect(project.spec.namespaceResourceWhitelist.map((k: any) => k.kind)).not.toContain(kind);
  });

  test('the root Application may create Applications only, and leaves the projects to an admin', () => {
    const bootstrap = argocd.objects.find((o) => o.kind === 'AppProject' && o.metadata.name === 'picvario-apps')!;
    expect(bootstrap.spec.namespaceResourceWhitelist).toEqual([{ group: 'argoproj.io', kind: 'Application' }]);
    expect(bootstrap.spec.clusterResourceWhitelist).toBeUndefined();
    const root = apps.find((a) => a.spec.source.path === 'argocd')!;
    expect(root.spec.source.directory).toEqual({ include: '*.yaml', exclude: '00-projects.yaml' });
  });
});
