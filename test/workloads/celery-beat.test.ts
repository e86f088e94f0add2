import { CeleryBeat, CeleryBeatProps } from '../../src';
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

  test('THEN the schedule file is written to /tmp, the only writable path', () => {
    expect(container(find(beat(), 'Deployment', 'beat')).command).toEqual([
      'celery', '-A', 'shop.celery', 'beat', '--loglevel=INFO', '--schedule=/tmp/celerybeat-schedule', '--pidfile=/tmp/celerybeat.pid',
    ]);
  });

  test('GIVEN more than one replica THEN synth fails naming the field', () => {
    expect(() => beat({ replicas: 2 })).toThrow("CeleryBeat 'test/beat': replicas must be exactly 1 (two beats send every periodic task twice); got 2");
  });
});
