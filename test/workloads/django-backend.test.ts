import { AppServer, DjangoBackend, DjangoBackendProps, ScalingMetric } from '../../src';
import { container, envMap, find, newChart, objects, rabbit, settings, small } from '../support/synth';

function backend(overrides: Partial<DjangoBackendProps> = {}) {
  const chart = newChart();
  new DjangoBackend(chart, 'web', {
    appName: 'shop',
    image: 'registry.example.com/shop/api',
    tag: '1.4.0',
    settings: settings(),
    broker: rabbit(),
    resources: small,
    ...overrides,
  });
  return objects(chart);
}

describe('DjangoBackend', () => {
  test('GIVEN default props THEN the rendered objects match the snapshot', () => {
    expect(backend()).toMatchSnapshot();
  });

  test('GIVEN an HPA THEN the Deployment has no replicas and the HPA targets it on CPU only, unless memory is asked for', () => {
    const all = backend({ minReplicas: 3, maxReplicas: 9, targetCpuUtilization: 60 });
    const deployment = find(all, 'Deployment', 'backend');
    expect(deployment.spec.replicas).toBeUndefined();
    const hpa = find(all, 'HorizontalPodAutoscaler', 'backend');
    expect(hpa.apiVersion).toBe('autoscaling/v2');
    expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' });
    expect(hpa.spec.minReplicas).toBe(3);
    expect(hpa.spec.maxReplicas).toBe(9);
    expect(hpa.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 60]]);
    const both = find(backend({ scalingMetrics: [ScalingMetric.CPU, ScalingMetric.MEMORY], targetMemoryUtilization: 75 }), 'HorizontalPodAutoscaler', 'backend');
    expect(both.spec.metrics.map((m: any) => [m.resource.name, m.resource.target.averageUtilization])).toEqual([['cpu', 70], ['memory', 75]]);
    const memoryOnly = find(backend({ scalingMetrics: [ScalingMetric.MEMORY] }), 'HorizontalPodAutoscaler', 'backend');
    expect(memoryOnly.spec.metrics.map((m: any) => m.resource.name)).toEqual(['memory']);
  });

  test('GIVEN one replica at the minimum THEN the budget lets a drain evict it instead of blocking the drain', () => {
    expect(find(backend({ minReplicas: 1 }), 'PodDisruptionBudget', 'backend').spec).toEqual({
      maxUnavailable: 1,
      selector: find(backend(), 'Deployment', 'backend').spec.selector,
      unhealthyPodEvictionPolicy: 'AlwaysAllow',
    });
    expect(find(backend({ minReplicas: 1, minAvailable: 1 }), 'PodDisruptionBudget', 'backend').spec.minAvailable).toBe(1);
  });

  test('GIVEN probe timings THEN readiness, liveness and startup follow them', () => {
    const c = container(find(backend({ probeTimings: { periodSeconds: 15, timeoutSeconds: 5, failureThreshold: 4, startupFailureThreshold: 24 } }), 'Deployment', 'backend'));
    expect([c.readinessProbe.periodSeconds, c.readinessProbe.failureThreshold, c.readinessProbe.timeoutSeconds]).toEqual([15, 4, 5]);
    expect([c.livenessProbe.periodSeconds, c.livenessProbe.failureThreshold]).toEqual([30, 8]);
    expect([c.startupProbe.periodSeconds, c.startupProbe.failureThreshold]).toEqual([5, 24]);
    expect(() => backend({ probeTimings: { periodSeconds: 2, timeoutSeconds: 5 } })).toThrow(/probeTimings.timeoutSeconds must be at most periodSeconds \(2\); got 5/);
  });

  test('THEN rollouts never drop capacity and the selector uses only stable labels', () => {
    const deployment = find(backend(), 'Deployment', 'backend');
    expect(deployment.spec.strategy.rollingUpdate.maxUnavailable).toBe(0);
    expect(deployment.spec.selector.matchLabels).toEqual({
      'app.kubernetes.io/name': 'shop', 'app.kubernetes.io/instance': 'shop', 'app.kubernetes.io/component': 'backend',
    });
  });

  test('THEN the Service selects the pods and the PDB keeps minReplicas - 1', () => {
    const all = backend({ minReplicas: 3 });
    const service = find(all, 'Service', 'backend');
    expect(service.spec.selector).toEqual(find(all, 'Deployment', 'backend').spec.selector.matchLabels);
    expect(service.spec.ports).toEqual([{ name: 'http', port: 8000, targetPort: 'http', protocol: 'TCP' }]);
    expect(find(all, 'PodDisruptionBudget', 'backend').spec.minAvailable).toBe(2);
  });

  test('THEN probes hit the health endpoints with a Host header Django accepts', () => {
    const c = container(find(backend({ readinessPath: '/ready', livenessPath: '/alive', probeHost: 'api.internal' }), 'Deployment', 'backend'));
    expect(c.readinessProbe.httpGet).toEqual({ path: '/ready', port: 'http', httpHeaders: [{ name: 'Host', value: 'api.internal' }] });
    expect(c.livenessProbe.httpGet.path).toBe('/alive');
    expect(c.startupProbe.httpGet.path).toBe('/alive');
  });

  test('THEN shutdown drains: preStop sleeps, and the grace period covers the sleep plus the longest request', () => {
    const d = find(backend({ requestTimeoutSeconds: 120, preStopDelaySeconds: 15 }), 'Deployment', 'backend');
    expect(container(d).lifecycle.preStop.exec.command).toEqual(['sleep', '15']);
    expect(d.spec.template.spec.terminationGracePeriodSeconds).toBe(145);
    expect(container(d).command).toContain('--timeout=120');
  });

  test('GIVEN uvicorn THEN the command runs the ASGI app', () => {
    const c = container(find(backend({ server: AppServer.UVICORN }), 'Deployment', 'backend'));
    expect(c.command.slice(0, 2)).toEqual(['uvicorn', 'config.asgi:application']);
  });

  test('GIVEN daphne THEN the command runs the ASGI app in one process, trusting the edge\'s forwarded headers', () => {
    const c = container(find(backend({ server: AppServer.DAPHNE }), 'Deployment', 'backend'));
    expect(c.command).toEqual(['daphne', '--bind=0.0.0.0', '--port=8000', '--proxy-headers', 'config.asgi:application']);
  });

  test('THEN secrets come from Secret references and S3 settings are plain values', () => {
    const env = envMap(container(find(backend(), 'Deployment', 'backend')));
    expect(env.DATABASE_URL).toEqual({ secretKeyRef: { name: 'app-secret', key: 'database-url' } });
    expect(env.DJANGO_SECRET_KEY).toEqual({ secretKeyRef: { name: 'app-secret', key: 'secret-key' } });
    expect(env.CELERY_BROKER_URL).toEqual({ secretKeyRef: { name: 'broker', key: 'broker-url' } });
    expect(env.AWS_STORAGE_BUCKET_NAME).toBe('media-bucket');
    expect(env.STATIC_URL).toBe('https://static-bucket.s3.eu-central-1.amazonaws.com/');
    expect(env.DJANGO_STATICFILES_STORAGE_BACKEND).toBe('storages.backends.s3.S3Storage');
  });

  test('THEN images are pulled on every start, and pods prefer distinct nodes besides the strict spread', () => {
    const d = find(backend(), 'Deployment', 'backend');
    expect(container(d).imagePullPolicy).toBe('Always');
    expect(d.spec.template.spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].podAffinityTerm).toEqual({
      topologyKey: 'kubernetes.io/hostname', labelSelector: d.spec.selector,
    });
    expect(container(d).resources.limits['ephemeral-storage']).toBe('1Gi');
  });

  test('THEN no volume is shared between pods: only the per-pod /tmp emptyDir', () => {
    const spec = find(backend(), 'Deployment', 'backend').spec.template.spec;
    expect(spec.volumes).toEqual([{ name: 'tmp', emptyDir: { sizeLimit: '256Mi' } }]);
  });

  test.each([
    [{ minReplicas: 5, maxReplicas: 3 }, /: minReplicas must be <= maxReplicas \(3\); got 5/],
    [{ maxReplicas: 0 }, /: maxReplicas must be an integer >= 1; got 0/],
    [{ minReplicas: 0 }, /: minReplicas must be an integer >= 1; got 0/],
    [{ server: 'waitress' as any }, /: server must be one of "gunicorn", "uvicorn", "daphne"; got "waitress"/],
    [{ server: AppServer.DAPHNE, serverWorkers: 4 }, /: serverWorkers must be 1 or left out with daphne \(it runs one process; scale it with replicas\); got 4/],
    [{ scalingMetrics: ['requests'] as any }, /: scalingMetrics\[0\] must be one of "cpu", "memory"; got "requests"/],
    [{ readinessPath: 'ready' }, /: readinessPath must be an absolute path starting with "\/"/],
    [{ terminationGracePeriodSeconds: 30 }, /terminationGracePeriodSeconds must be an integer greater than preStopDelaySeconds \+ requestTimeoutSeconds \(70\); got 30/],
    [{ tag: 'latest' }, /tag must be an immutable image tag/],
    [{ resources: { ...small, memoryLimit: '64Mi' } }, /resources\.memoryLimit must be >= memoryRequest \(128Mi\)/],
    [{ resources: { ...small, cpuRequest: '1 core' } }, /resources\.cpuRequest must be a Kubernetes quantity/],
    [{ port: 80 }, /port must be an integer from 1024 to 65535; got 80/],
  ])('GIVEN bad props %j THEN synth fails with a message naming DjangoBackend and the field', (overrides, message) => {
    expect(() => backend(overrides as Partial<DjangoBackendProps>)).toThrow(message);
    expect(() => backend(overrides as Partial<DjangoBackendProps>)).toThrow(/^DjangoBackend 'test\/web': /);
  });
});
