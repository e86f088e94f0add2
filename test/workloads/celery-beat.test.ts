import { CeleryBeat, CeleryBeatProps, CeleryLiveness } from '../../src';
import { container, find, newChart, objects, redis, settings, small } from '../support/synth';

function beat(overrides: Partial<CeleryBeatProps> = {}) {
  const chart = newChart();
  new CeleryBeat(chart, 'beat', {
    appName: 'shop',
    image: 'registry.example.com/shop/api',
    tag: '1.4.0',
    settings: settings(),
    broker: redis(),
    celeryApp: 'shop.celery',
    resources: small,
    ...overrides,
  });
  return objects(chart);
}

describe('CeleryBeat', () => {
  test('GIVEN default props THEN the rendered objects match the snapshot', () => {
    expect(beat()).toMatchSnapshot();
  });

  test('THEN exactly one replica runs, replaced with Recreate, never autoscaled or budgeted', () => {
    const all = beat();
    const d = find(all, 'Deployment', 'beat');
    expect(d.spec.replicas).toBe(1);
    expect(d.spec.strategy).toEqual({ type: 'Recreate' });
    expect(all.filter((o) => ['HorizontalPodAutoscaler', 'ScaledObject', 'PodDisruptionBudget'].includes(o.kind))).toEqual([]);
  });

  test('THEN the schedule file is written to /tmp, the only writable path, and beat ticks at least every heartbeat interval', () => {
    expect(container(find(beat(), 'Deployment', 'beat')).command).toEqual([
      'celery', '-A', 'shop.celery', 'beat', '--loglevel=INFO', '--schedule=/tmp/celerybeat-schedule', '--pidfile=/tmp/celerybeat.pid', '--max-interval=10',
    ]);
  });

  test('THEN a hung beat is restarted: the liveness probe checks the age of the file its scheduler touches, never the broker', () => {
    const c = container(find(beat({ heartbeatIntervalSeconds: 20 }), 'Deployment', 'beat'));
    expect(c.env).toEqual(expect.arrayContaining([
      { name: 'CELERY_BEAT_HEARTBEAT_FILE', value: '/tmp/celery-beat-heartbeat' },
      { name: 'CELERY_BEAT_HEARTBEAT_INTERVAL', value: '20' },
    ]));
    expect(c.command).toContain('--max-interval=20');
    expect(c.livenessProbe).toEqual({
      exec: { command: ['python', '-c', 'import os,sys,time; sys.exit(0 if time.time() - os.stat("/tmp/celery-beat-heartbeat").st_mtime < 60 else 1)'] },
      periodSeconds: 20,
      failureThreshold: 3,
      timeoutSeconds: 5,
    });
    expect(c.startupProbe).toMatchObject({ exec: c.livenessProbe.exec, periodSeconds: 5, failureThreshold: 60 });
    expect(JSON.stringify(c)).not.toMatch(/inspect|ping/);
  });

  test('GIVEN a database scheduler THEN beat runs it', () => {
    expect(container(find(beat({ scheduler: 'django_celery_beat.schedulers:DatabaseScheduler' }), 'Deployment', 'beat')).command)
      .toContain('--scheduler=django_celery_beat.schedulers:DatabaseScheduler');
    expect(() => beat({ scheduler: 'not a class' })).toThrow(/scheduler must be a scheduler class path/);
  });

  test('GIVEN an app without the heartbeat yet THEN beat has no liveness probe, and its startup probe waits for the pid file', () => {
    const c = container(find(beat({ liveness: CeleryLiveness.NONE }), 'Deployment', 'beat'));
    expect(c.livenessProbe).toBeUndefined();
    expect(c.startupProbe.exec.command).toEqual(['python', '-c', 'import os; os.stat("/tmp/celerybeat.pid")']);
    expect(c.command).not.toContain('--max-interval=10');
    expect(c.env.map((e: any) => e.name)).not.toContain('CELERY_BEAT_HEARTBEAT_FILE');
  });

  test('GIVEN more than one replica THEN synth fails naming the field', () => {
    expect(() => beat({ replicas: 2 })).toThrow("CeleryBeat 'test/beat': replicas must be exactly 1 (two beats send every periodic task twice); got 2");
  });
});
