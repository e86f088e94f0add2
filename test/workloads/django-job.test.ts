import { CollectStatic, DjangoBackend, DjangoManagementJob, DjangoManagementJobProps, DjangoMigrations, MigrationStyle } from '../../src';
import { container, envMap, find, newChart, objects, settings, small } from '../support/synth';

function withBackend(build: (backend: DjangoBackend) => void) {
  const chart = newChart();
  const backend = new DjangoBackend(chart, 'backend', {
    appName: 'shop', image: 'registry.example.com/shop/api', tag: '1.4.0', settings: settings(), resources: small,
  });
  build(backend);
  return objects(chart);
}

describe('DjangoMigrations and CollectStatic', () => {
  test('GIVEN a backend THEN the jobs match the snapshot', () => {
    const all = withBackend((backend) => {
      new DjangoMigrations(backend.node.scope!, 'migrate', { backend, resources: small });
      new CollectStatic(backend.node.scope!, 'collectstatic', { backend, resources: small });
    });
    expect(all.filter((o) => o.kind === 'Job' || o.metadata.name === 'migrate' || o.metadata.name === 'collectstatic')).toMatchSnapshot();
  });

  test('THEN django-tenants migrations run the shared schema first, then the tenants, with the backend image and settings', () => {
    const all = withBackend((backend) => new DjangoMigrations(backend.node.scope!, 'migrate', { backend, resources: small, style: MigrationStyle.DJANGO_TENANTS }));
    const job = find(all, 'Job', 'migrate');
    const pod = job.spec.template.spec;
    expect(pod.initContainers.map((c: any) => c.command)).toEqual([['python', 'manage.py', 'migrate_schemas', '--shared', '--noinput']]);
    expect(pod.containers[0].command).toEqual(['python', 'manage.py', 'migrate_schemas', '--tenant', '--noinput']);
    for (const c of [...pod.initContainers, ...pod.containers]) {
      expect(c.image).toBe(container(find(all, 'Deployment', 'backend')).image);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
    }
    expect(envMap(pod.containers[0]).DATABASE_URL).toEqual({ secretKeyRef: { name: 'app-secret', key: 'database-url' } });
    expect(pod.restartPolicy).toBe('Never');
  });

  test('THEN it is an Argo CD Sync hook in the jobs wave, with a fixed name, bounded retries and a deadline', () => {
    const all = withBackend((backend) => new DjangoMigrations(backend.node.scope!, 'migrate', { backend, resources: small }));
    const job = find(all, 'Job', 'migrate');
    expect(job.metadata.annotations).toEqual({
      'argocd.argoproj.io/hook': 'Sync', 'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation', 'argocd.argoproj.io/sync-wave': '0',
    });
    expect(job.spec.backoffLimit).toBe(1);
    expect(job.spec.activeDeadlineSeconds).toBe(1800);
    // The ServiceAccount is a plain object, so that it exists (in the configuration wave) before the hook's pod.
    expect(find(all, 'ServiceAccount', 'migrate').metadata.annotations).toBeUndefined();
  });

  test('THEN collectstatic uploads with the same storage settings as the backend', () => {
    const all = withBackend((backend) => new CollectStatic(backend.node.scope!, 'collectstatic', { backend, resources: small }));
    const c = find(all, 'Job', 'collectstatic').spec.template.spec.containers[0];
    expect(c.command).toEqual(['python', 'manage.py', 'collectstatic', '--noinput']);
    expect(c.env).toEqual(container(find(all, 'Deployment', 'backend')).env.filter((e: any) => e.name !== 'CELERY_BROKER_URL'));
  });

  test.each([
    [{ activeDeadlineSeconds: undefined }, /activeDeadlineSeconds must be set: a hook without a deadline can block every sync forever/],
    [{ activeDeadlineSeconds: 0 }, /activeDeadlineSeconds must be an integer from 1 to 86400; got 0/],
    [{ backoffLimit: 50 }, /backoffLimit must be an integer from 0 to 10; got 50/],
    [{ steps: [] }, /steps must be a non-empty list of commands/],
    [{ name: 'Migrate_1' }, /name must be a DNS-1035 label/],
  ])('GIVEN bad props %j THEN synth fails naming the job and the field', (overrides, message) => {
    const build = () => withBackend((backend) => new DjangoManagementJob(backend.node.scope!, 'job', {
      backend,
      name: 'job',
      resources: small,
      activeDeadlineSeconds: 60,
      steps: [{ name: 'one', command: ['true'] }],
      ...(overrides as Partial<DjangoManagementJobProps>),
    }));
    expect(build).toThrow(message);
    expect(build).toThrow(/^DjangoManagementJob 'test\/job': /);
  });
});
