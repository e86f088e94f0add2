import { NuxtFrontend, NuxtFrontendProps } from '../../src';
import { container, envMap, find, newChart, objects, small } from '../support/synth';

function frontend(overrides: Partial<NuxtFrontendProps> = {}) {
  const chart = newChart();
  new NuxtFrontend(chart, 'web', {
    appName: 'shop',
    image: 'registry.example.com/shop/web',
    tag: '2.0.1',
    resources: small,
    internalApiUrl: 'http://backend:8000/api',
    publicApiUrl: 'https://shop.example.com/api',
    ...overrides,
  });
  return objects(chart);
}

describe('NuxtFrontend', () => {
  test('GIVEN default props THEN the rendered objects match the snapshot', () => {
    expect(frontend()).toMatchSnapshot();
  });

  test('THEN the SSR server gets the in-cluster API URL and browsers the public one', () => {
    const env = envMap(container(find(frontend(), 'Deployment', 'frontend')));
    expect(env.NUXT_API_BASE).toBe('http://backend:8000/api');
    expect(env.NUXT_PUBLIC_API_BASE).toBe('https://shop.example.com/api');
    expect(env.PORT).toBe('3000');
  });

  test('THEN it is a web tier: probes, HPA without replicas, PDB, strict spread over nodes, preferred over zones', () => {
    const all = frontend({ minReplicas: 3, maxReplicas: 6 });
    const d = find(all, 'Deployment', 'frontend');
    expect(d.spec.replicas).toBeUndefined();
    expect(container(d).readinessProbe.httpGet.path).toBe('/healthz');
    // Alive but unable to render (backend down) means out of the Service, not restarted.
    expect(container(d).livenessProbe).toEqual({ tcpSocket: { port: 'http' }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 3 });
    expect(find(all, 'HorizontalPodAutoscaler', 'frontend').spec.maxReplicas).toBe(6);
    expect(find(all, 'PodDisruptionBudget', 'frontend').spec.minAvailable).toBe(2);
    expect(d.spec.template.spec.topologySpreadConstraints.map((t: any) => [t.topologyKey, t.whenUnsatisfiable])).toEqual([
      ['kubernetes.io/hostname', 'DoNotSchedule'], ['topology.kubernetes.io/zone', 'ScheduleAnyway'],
    ]);
    expect(find(all, 'Service', 'frontend').spec.ports[0].port).toBe(3000);
  });

  test.each([
    [{ publicApiUrl: 'shop.example.com/api' }, /publicApiUrl must be an http\(s\) URL/],
    [{ internalApiUrlVariable: 'API-BASE' }, /internalApiUrlVariable must be an environment variable name/],
    [{ minReplicas: 4, maxReplicas: 2 }, /: minReplicas must be <= maxReplicas \(2\); got 4/],
  ])('GIVEN bad props %j THEN synth fails naming NuxtFrontend and the field', (overrides, message) => {
    expect(() => frontend(overrides as Partial<NuxtFrontendProps>)).toThrow(message);
    expect(() => frontend(overrides as Partial<NuxtFrontendProps>)).toThrow(/^NuxtFrontend 'test\/web': /);
  });
});
