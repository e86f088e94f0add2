import { CronConcurrencyPolicy, DjangoBackend, DjangoBackendProps, DjangoCronJob, DjangoCronJobProps, ImagePullPolicy, ScheduleState } from '../../src';
import { container, find, newChart, objects, redis, settings, small } from '../support/synth';

/** A backend and, beside it, the cron job that `build` makes from it; the chart's objects. */
function withBackend(build: (backend: DjangoBackend) => void, backendProps: Partial<DjangoBackendProps> = {}) {
  const chart = newChart();
  const backend = new DjangoBackend(chart, 'backend', {
    appName: 'shop', image: 'registry.example.com/shop/api', tag: '1.4.0', settings: settings(), resources: small, ...backendProps,
  });
  build(backend);
  return objects(chart);
}

const clearsessions = (backend: DjangoBackend, overrides: Partial<DjangoCronJobProps> = {}) => new DjangoCronJob(backend.node.scope!, 'clearsessions', {
  backend,
  name: 'clearsessions',
  schedule: '@daily',
  command: ['python', 'manage.py', 'clearsessions'],
  resources: { cpuRequest: '100m', cpuLimit: '1000m', memoryRequest: '128Mi', memoryLimit: '1024Mi' },
  activeDeadlineSeconds: 600,
  ...overrides,
});

describe('GIVEN a backend and clearsessions, daily, with the defaults', () => {
  const all = withBackend((backend) => clearsessions(backend));
  const cronJob = find(all, 'CronJob', 'clearsessions');
  const pod = cronJob.spec.jobTemplate.spec.template.spec;

  test('THEN one run at a time, a bounded start and run, a few retries and a short history', () => {
    const { jobTemplate, ...schedule } = cronJob.spec;
    expect(schedule).toEqual({
      schedule: '@daily',
      concurrencyPolicy: 'Forbid',
      startingDeadlineSeconds: 300,
      suspend: false,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 3,
    });
    expect(jobTemplate.spec.backoffLimit).toBe(1);
    expect(jobTemplate.spec.activeDeadlineSeconds).toBe(600);
    expect(pod.restartPolicy).toBe('Never');
  });

  test('THEN it runs the command with the backend image and settings, hardened, its resources in canonical form', () => {
    const backend = container(find(all, 'Deployment', 'backend'));
    expect(pod.containers).toHaveLength(1);
    const c = pod.containers[0];
    expect(c.name).toBe('clearsessions');
    expect(c.command).toEqual(['python', 'manage.py', 'clearsessions']);
    expect(c.image).toBe(backend.image);
    expect(c.imagePullPolicy).toBe('Always');
    expect(c.env).toEqual(backend.env);
    expect(c.resources).toEqual({
      requests: { 'cpu': '100m', 'memory': '128Mi', 'ephemeral-storage': '256Mi' },
      limits: { 'cpu': '1', 'memory': '1Gi', 'ephemeral-storage': '1Gi' },
    });
    expect(c.securityContext).toEqual(backend.securityContext);
    expect(c.volumeMounts).toEqual([{ name: 'tmp', mountPath: '/tmp' }]);
    expect(c.ports).toBeUndefined();
    expect(pod.securityContext).toEqual({ runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: 'RuntimeDefault' } });
    expect(pod.terminationGracePeriodSeconds).toBe(30);
    expect(pod.topologySpreadConstraints).toBeUndefined();
  });

  test('THEN its pods carry the component labels, run as its own ServiceAccount without a token, and it is no Argo CD hook', () => {
    const selector = { 'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'clearsessions' };
    const labels = { ...selector, 'app.kubernetes.io/part-of': 'shop', 'app.kubernetes.io/version': '1.4.0', 'app.kubernetes.io/managed-by': 'cdk8s' };
    expect(cronJob.metadata.labels).toEqual(labels);
    expect(cronJob.spec.jobTemplate.metadata.labels).toEqual(labels);
    expect(cronJob.spec.jobTemplate.spec.template.metadata.labels).toEqual(labels);
    expect(cronJob.metadata.annotations).toBeUndefined();
    expect([pod.serviceAccountName, pod.automountServiceAccountToken]).toEqual(['clearsessions', false]);
    expect(find(all, 'ServiceAccount', 'clearsessions').automountServiceAccountToken).toBe(false);
  });
});

describe('GIVEN a cron job with its options set', () => {
  test('WHEN it has a time zone, Replace, a suspended schedule and its own limits THEN the CronJob says so', () => {
    const all = withBackend((backend) => clearsessions(backend, {
      schedule: '30 3 * * MON-FRI',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: CronConcurrencyPolicy.REPLACE,
      scheduleState: ScheduleState.SUSPENDED,
      startingDeadlineSeconds: 60,
      backoffLimit: 0,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 1,
    }));
    const { jobTemplate, ...schedule } = find(all, 'CronJob', 'clearsessions').spec;
    expect(schedule).toEqual({
      schedule: '30 3 * * MON-FRI',
      timeZone: 'Europe/Berlin',
      concurrencyPolicy: 'Replace',
      startingDeadlineSeconds: 60,
      suspend: true,
      successfulJobsHistoryLimit: 0,
      failedJobsHistoryLimit: 1,
    });
    expect(jobTemplate.spec.backoffLimit).toBe(0);
  });

  test('WHEN it has the broker THEN the command can enqueue tasks: it reads the broker variables', () => {
    const all = withBackend((backend) => clearsessions(backend, { broker: redis() }));
    const env = find(all, 'CronJob', 'clearsessions').spec.jobTemplate.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: 'CELERY_BROKER_ADDRESS', valueFrom: { secretKeyRef: { name: 'broker', key: 'redis-address' } } });
    expect(env).toContainEqual({ name: 'CELERY_BROKER_URL', value: 'redis://$(CELERY_BROKER_ADDRESS)/0' });
  });

  test('WHEN the backend pulls with credentials THEN the cron job pulls with them too, and adds its own options', () => {
    const all = withBackend((backend) => clearsessions(backend, {
      imagePullSecrets: ['regcred', 'extra'], extraArgs: ['--verbosity=2'], extraEnv: { HOUSEKEEPING_DAYS: '30' },
    }), { imagePullSecrets: ['regcred'], imagePullPolicy: ImagePullPolicy.IF_NOT_PRESENT });
    const pod = find(all, 'CronJob', 'clearsessions').spec.jobTemplate.spec.template.spec;
    expect(pod.imagePullSecrets).toEqual([{ name: 'regcred' }, { name: 'extra' }]);
    expect(pod.containers[0].imagePullPolicy).toBe('IfNotPresent');
    expect(pod.containers[0].command).toEqual(['python', 'manage.py', 'clearsessions', '--verbosity=2']);
    expect(pod.containers[0].env).toContainEqual({ name: 'HOUSEKEEPING_DAYS', value: '30' });
  });
});

describe('GIVEN props a cron job cannot run with', () => {
  test.each([
    [{ schedule: '0 3 * *' }, 'schedule must be a cron schedule: five fields "minute hour day-of-month month day-of-week" such as "30 3 * * *", or one of'],
    [{ schedule: '0 25 * * *' }, 'schedule must be a cron schedule whose hour field (the 2nd) is "*", a value from 0 to 23'],
    [{ schedule: '0 0 30 2 *' }, 'schedule must be a cron schedule that fires'],
    [{ schedule: 'CRON_TZ=Europe/Berlin 0 3 * * *' }, 'schedule must be a cron schedule without a time zone prefix (set timeZone instead)'],
    [{ timeZone: 'Local' }, 'timeZone must be an IANA time zone name such as "Europe/Berlin"'],
    [{ timeZone: 'Berlin, Germany' }, 'timeZone must be an IANA time zone name'],
    [{ activeDeadlineSeconds: undefined }, 'activeDeadlineSeconds must be set: a run that hangs without a deadline holds back every later run; got undefined'],
    [{ activeDeadlineSeconds: 0 }, 'activeDeadlineSeconds must be an integer from 1 to 86400; got 0'],
    [{ activeDeadlineSeconds: 1.5 }, 'activeDeadlineSeconds must be an integer from 1 to 86400; got 1.5'],
    [{ startingDeadlineSeconds: 5 }, 'startingDeadlineSeconds must be an integer from 10 to 86400; got 5'],
    [{ backoffLimit: 11 }, 'backoffLimit must be an integer from 0 to 10; got 11'],
    [{ successfulJobsHistoryLimit: 50 }, 'successfulJobsHistoryLimit must be an integer from 0 to 10; got 50'],
    [{ failedJobsHistoryLimit: -1 }, 'failedJobsHistoryLimit must be an integer from 0 to 10; got -1'],
    [{ concurrencyPolicy: 'Allow' }, 'concurrencyPolicy must be one of "Forbid", "Replace"; got "Allow"'],
    [{ scheduleState: 'paused' }, 'scheduleState must be one of "active", "suspended"; got "paused"'],
    [{ command: [] }, 'command must be a non-empty argv list of non-empty strings, e.g. ["python", "manage.py", "clearsessions"]; got []'],
    [{ name: 'Clear_Sessions' }, 'name must be a DNS-1035 label (lowercase letters, digits and \'-\', starting with a letter, at most 52 characters)'],
    [{ name: `c${'x'.repeat(52)}` }, 'at most 52 characters'],
    [{ resources: { ...small, cpuLimit: '50m' } }, 'resources.cpuLimit must be >= cpuRequest (100m); got "50m"'],
  ])('WHEN given %j THEN construction fails naming the cron job and the prop', (overrides, message) => {
    const build = () => withBackend((backend) => clearsessions(backend, overrides as unknown as Partial<DjangoCronJobProps>));
    expect(build).toThrow(message);
    expect(build).toThrow(/^DjangoCronJob 'test\/clearsessions': /);
  });
});
