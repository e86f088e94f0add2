import { deployment } from './helpers';
import { capacityOf, formatCpu, formatMemory, podRequests } from '../../src/delivery/capacity';

describe('capacity from rendered objects', () => {
  const objects = [
    deployment('backend', { requests: { cpu: '500m', memory: '1Gi' } }),
    { kind: 'HorizontalPodAutoscaler', spec: { minReplicas: 2, maxReplicas: 6, scaleTargetRef: { kind: 'Deployment', name: 'backend' } } },
    deployment('worker', { requests: { cpu: '250m', memory: '512Mi' } }),
    { kind: 'ScaledObject', spec: { maxReplicaCount: 10, scaleTargetRef: { name: 'worker' } } },
    deployment('beat', { replicas: 1, requests: { cpu: '50m', memory: '128Mi' } }),
  ];

  test('replica bounds come from the HPA, the ScaledObject (KEDA defaults) or spec.replicas', () => {
    const rows = Object.fromEntries(capacityOf(objects).rows.map((r) => [r.component, r]));
    expect([rows.backend.scaling, rows.backend.minReplicas, rows.backend.maxReplicas]).toEqual(['HPA', 2, 6]);
    expect([rows.worker.scaling, rows.worker.minReplicas, rows.worker.maxReplicas]).toEqual(['KEDA', 0, 10]);
    expect([rows.beat.scaling, rows.beat.minReplicas, rows.beat.maxReplicas]).toEqual(['fixed', 1, 1]);
  });

  test('totals are replicas times requests at both ends', () => {
    const { atMin, atMax } = capacityOf(objects);
    expect(formatCpu(atMin.cpuMillis)).toBe('1.05'); // 2×0.5 + 0 + 0.05
    expect(formatMemory(atMin.memoryBytes)).toBe('2.13Gi'); // 2Gi + 128Mi
    expect(formatCpu(atMax.cpuMillis)).toBe('5.55'); // 6×0.5 + 10×0.25 + 0.05
    expect(formatMemory(atMax.memoryBytes)).toBe('11.13Gi'); // 6Gi + 5Gi + 128Mi
  });

  test('a CronJob reserves nothing between runs and one pod of its Job during one; a hook Job is left out', () => {
    const cronJob = {
      kind: 'CronJob',
      metadata: { name: 'clearsessions', labels: { 'app.kubernetes.io/component': 'clearsessions' } },
      spec: { jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '200m', memory: '256Mi' } } }] } } } } },
    };
    const hook = { kind: 'Job', metadata: { name: 'migrate' }, spec: { template: { spec: { containers: [{ name: 'c', resources: { requests: { cpu: '4', memory: '8Gi' } } }] } } } };
    const { rows, atMin, atMax } = capacityOf([...objects, cronJob, hook]);
    expect(rows.find((r) => r.component === 'clearsessions')).toEqual({
      component: 'clearsessions', workload: 'CronJob/clearsessions', scaling: 'schedule', minReplicas: 0, maxReplicas: 1, perPod: { cpuMillis: 200, memoryBytes: 256 * 1024 ** 2 },
    });
    expect(rows.map((r) => r.workload)).not.toContain('Job/migrate');
    expect(formatCpu(atMin.cpuMillis)).toBe('1.05'); // as without it
    expect(formatCpu(atMax.cpuMillis)).toBe('5.75'); // 5.55 + 0.2
  });

  test('a pod reserves the larger of its containers and its largest init container', () => {
    const spec = {
      initContainers: [{ name: 'migrate', resources: { requests: { cpu: '2', memory: '64Mi' } } }],
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '1Gi' } } }, { name: 'b', resources: {} }],
    };
    expect(podRequests(spec, 'pod')).toEqual({ cpuMillis: 2000, memoryBytes: 1024 ** 3 });
  });

  test('formats', () => {
    expect(formatMemory(0)).toBe('0');
    expect(formatMemory(512 * 1024 ** 2)).toBe('512Mi');
    expect(formatCpu(300)).toBe('0.3');
  });
});
