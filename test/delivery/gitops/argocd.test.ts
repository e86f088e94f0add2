import { App, Chart, Testing } from 'cdk8s';
import { ArgoCdApplication, ArgoCdProject } from '../../../src';

function chart(): Chart {
  return new Chart(Testing.app(), 'test');
}

describe('ArgoCdApplication', () => {
  test('defaults: automated sync with prune and selfHeal, server-side apply, no CreateNamespace, no cascade', () => {
    const c = chart();
    new ArgoCdApplication(c, 'app', { name: 'shop-test', project: 'shop', repoUrl: 'https://git.example/shop.git', path: 'test', targetRevision: 'rendered', destinationNamespace: 'shop-test' });
    const [app] = Testing.synth(c);
    expect(app).toEqual({
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'shop-test', namespace: 'argocd' },
      spec: {
        project: 'shop',
        source: { repoURL: 'https://git.example/shop.git', targetRevision: 'rendered', path: 'test' },
        destination: { server: 'https://kubernetes.default.svc', namespace: 'shop-test' },
        syncPolicy: { automated: { prune: true, selfHeal: true }, syncOptions: ['ServerSideApply=true'] },
      },
    });
  });

  test('options: CreateNamespace, extra sync options and cascade delete', () => {
    const c = chart();
    new ArgoCdApplication(c, 'app', {
      name: 'a',
      project: 'p',
      repoUrl: 'r',
      path: 'x/y',
      destinationNamespace: 'n',
      createNamespace: true,
      serverSideApply: false,
      syncOptions: ['PruneLast=true'],
      cascadeDelete: true,
      prune: false,
    });
    const [app] = Testing.synth(c);
    expect(app.spec.syncPolicy).toEqual({ automated: { prune: false, selfHeal: true }, syncOptions: ['CreateNamespace=true', 'PruneLast=true'] });
    expect(app.metadata.finalizers).toEqual(['resources-finalizer.argocd.argoproj.io']);
    expect(app.spec.source.targetRevision).toBe('HEAD');
  });

  test('GIVEN include THEN Argo CD reads only the files it matches from the folder', () => {
    const c = chart();
    new ArgoCdApplication(c, 'app', { name: 'a', project: 'p', repoUrl: 'r', path: 'x', destinationNamespace: 'n', include: '*.yaml' });
    expect(Testing.synth(c)[0].spec.source).toEqual({ repoURL: 'r', targetRevision: 'HEAD', path: 'x', directory: { include: '*.yaml' } });
    expect(() => new ArgoCdApplication(chart(), 'app', { name: 'a', project: 'p', repoUrl: 'r', path: 'x', destinationNamespace: 'n', include: '../*.yaml' }))
      .toThrow(/include must be a file glob inside the folder, such as "\*\.yaml"/);
  });

  test.each([
    [{ name: 'Bad_Name' }, /name must be a DNS-1123 name.*"Bad_Name"/],
    [{ path: '/abs' }, /path must be a folder relative to the repository root.*"\/abs"/],
    [{ path: '../up' }, /path must be a folder relative/],
    [{ repoUrl: '' }, /repoUrl must be the URL of a Git repository/],
    [{ destinationNamespace: 'NS' }, /destinationNamespace must be/],
    [{ syncOptions: ['nope'] }, /syncOptions\[0\] must be an option "Name=value"/],
  ])('rejects %j, naming the field and what is accepted', (override, message) => {
    const props = { name: 'a', project: 'p', repoUrl: 'r', path: 'x', destinationNamespace: 'n', ...override };
    expect(() => new ArgoCdApplication(chart(), 'app', props)).toThrow(message);
  });
});

describe('ArgoCdProject', () => {
  test('fences repositories, destinations and kinds; no cluster-scoped kinds unless listed', () => {
    const c = chart();
    new ArgoCdProject(c, 'p', { name: 'shop', sourceRepos: ['r'], destinations: [{ namespace: 'shop-test' }], clusterResources: [{ group: '', kind: 'Namespace' }] });
    new ArgoCdProject(c, 'q', { name: 'none', sourceRepos: ['r'], destinations: [{ namespace: 'x', server: 'https://other' }] });
    const [p, q] = Testing.synth(c);
    expect(p.spec).toEqual({
      sourceRepos: ['r'],
      destinations: [{ namespace: 'shop-test', server: 'https://kubernetes.default.svc' }],
      clusterResourceWhitelist: [{ group: '', kind: 'Namespace' }],
    });
    expect(q.spec.clusterResourceWhitelist).toBeUndefined();
    expect(q.spec.destinations).toEqual([{ namespace: 'x', server: 'https://other' }]);
  });

  test.each([
    [{ sourceRepos: [] }, /sourceRepos must be a non-empty list/],
    [{ destinations: [] }, /destinations must be a non-empty list/],
    [{ clusterResources: [{ group: '', kind: 'namespace' }] }, /clusterResources\[0\]\.kind must be a kind in UpperCamelCase/],
    [{ clusterResources: [{ group: 'Bad Group', kind: 'X' }] }, /clusterResources\[0\]\.group must be an API group/],
    [{ labels: { a: 'not valid!' } }, /labels\.a must be a label value/],
  ])('rejects %j', (override, message) => {
    const props = { name: 'p', sourceRepos: ['r'], destinations: [{ namespace: 'n' }], ...override };
    expect(() => new ArgoCdProject(new Chart(new App(), 'c'), 'p', props as any)).toThrow(message);
  });
});
