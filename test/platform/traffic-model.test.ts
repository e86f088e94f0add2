// The intended-traffic model (src/platform/traffic-model.ts): its own checks, the workloads of a folder
// that render its components, and the flows the validation gate asks the NetworkPolicy engine about.
import * as t from '../../src/platform/traffic-model';

const model = (): t.TrafficModel => ({
  namespace: 'shop',
  components: [
    { name: 'web', podLabels: { app: 'web' }, ports: [{ port: 8080, protocol: 'TCP' }] },
    { name: 'worker', podLabels: { app: 'worker' }, ports: [] },
  ],
  dns: { namespace: 'kube-system', podLabels: { 'k8s-app': 'kube-dns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] },
  namespaces: [{ name: 'ingress-nginx' }],
  externals: [{ name: 'db', cidrs: ['10.1.0.0/24', '10.2.0.0/24'], ports: [{ port: 5432, protocol: 'TCP' }] }],
  allowed: [
    { from: { namespace: 'ingress-nginx' }, to: { component: 'web' }, port: 8080, protocol: 'TCP' },
    { from: { component: 'worker' }, to: { component: 'web' }, port: 8080, protocol: 'TCP' },
    { from: { component: 'web' }, to: { external: 'db' }, port: 5432, protocol: 'TCP' },
  ],
});

const workloads: t.Workload[] = [
  { kind: 'Deployment', name: 'web', namespace: 'shop', labels: { app: 'web', version: '1' } },
  { kind: 'Deployment', name: 'worker', namespace: 'shop', labels: { app: 'worker', version: '1' } },
];

describe('flows built from the model', () => {
  const m = model();
  const { components, problems } = t.resolveComponents(m, workloads);
  const built = t.buildFlows(m, components, { team: 'shop' });
  const byKind = (kind: string) => built.flows.filter((f) => f.kind === kind);

  test('the components are found by their pod labels, with every workload covered', () => {
    expect(problems).toEqual([]);
    expect(components.map((c) => c.pods.map((p) => p.name))).toEqual([['web'], ['worker']]);
  });

  test('every pair of components on every port the destination listens on', () => {
    expect(byKind('component').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> web :8080/TCP deny', 'worker -> web :8080/TCP allow',
    ]);
    // the real pod labels, not only the model's
    expect(byKind('component')[0].from.labels).toEqual({ app: 'web', version: '1' });
  });

  test('listed namespaces, DNS, each CIDR of each external, and an address outside them all', () => {
    expect(byKind('namespace').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual(['namespace ingress-nginx -> web :8080/TCP allow']);
    expect(byKind('dns').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> dns kube-system/k8s-app=kube-dns :53/UDP allow', 'web -> dns kube-system/k8s-app=kube-dns :53/TCP allow',
      'worker -> dns kube-system/k8s-app=kube-dns :53/UDP allow', 'worker -> dns kube-system/k8s-app=kube-dns :53/TCP allow',
    ]);
    expect(byKind('external').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> db (10.1.0.1) :5432/TCP allow', 'web -> db (10.2.0.1) :5432/TCP allow',
      'worker -> db (10.1.0.1) :5432/TCP deny', 'worker -> db (10.2.0.1) :5432/TCP deny',
    ]);
    expect(built.outside).toBe('192.0.2.10');
    expect(byKind('outside').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> outside (192.0.2.10) :53/TCP deny', 'web -> outside (192.0.2.10) :53/UDP deny', 'web -> outside (192.0.2.10) :5432/TCP deny',
      'worker -> outside (192.0.2.10) :53/TCP deny', 'worker -> outside (192.0.2.10) :53/UDP deny', 'worker -> outside (192.0.2.10) :5432/TCP deny',
    ]);
  });

  test('pods of another namespace, labelled like another environment, are denied both ways', () => {
    expect(built.otherNamespace).toBe('shop-other');
    expect(byKind('other-namespace').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'shop-other/web -> web :8080/TCP deny', 'web -> shop-other/web :8080/TCP deny',
      'shop-other/worker -> web :8080/TCP deny', 'worker -> shop-other/web :8080/TCP deny',
    ]);
    const f = byKind('other-namespace')[0];
    expect(f.from.namespaceLabels).toEqual({ 'team': 'shop', 'kubernetes.io/metadata.name': 'shop-other' });
  });

  test('every pod gets an address of a pod network that overlaps no CIDR of the model', () => {
    expect(built.podNetwork).toBe('10.244.0.0/16');
    const ips = built.flows.flatMap((f) => [f.from, f.to]).filter((p) => p.type !== 'external' && p.type !== 'outside').map((p) => p.ip!);
    for (const ip of ips) expect(t.cidrContains('10.244.0.0/16', ip)).toBe(true);
  });

});

describe('the model itself', () => {
  test('a flow to an unknown component, a port nobody listens on and a bad CIDR are refused', () => {
    const m = model();
    m.externals![0].cidrs!.push('10.3.0.0/33');
    m.allowed.push({ from: { component: 'web' }, to: { component: 'api' }, port: 80, protocol: 'TCP' });
    m.allowed.push({ from: { component: 'web' }, to: { component: 'worker' }, port: 9000, protocol: 'TCP' });
    expect(t.modelErrors(m)).toEqual([
      'externals[0].cidrs[2]: "10.3.0.0/33" is not an IPv4 CIDR',
      'allowed[3].to: "api" is not a component of the model',
      'allowed[4]: component "worker" does not listen on 9000/TCP, so the flow can never happen',
    ]);
  });

  test('a component whose labels match no pod is taken by its name, and a workload outside the model is named', () => {
    const m = { ...model(), components: [{ ...model().components[0], podLabels: { app: 'web-v2' } }, model().components[1]] };
    const extra = [...workloads, { kind: 'Job', name: 'migrate', namespace: 'shop', labels: { app: 'migrate' } }];
    const { components, problems } = t.resolveComponents(m, extra);
    expect(components[0].pods.map((p) => p.name)).toEqual(['web']);
    expect(problems.map((p) => `${p.check} ${p.kind}/${p.name}`)).toEqual(['model-labels Deployment/web', 'workload-not-in-model Job/migrate']);
  });

  test('a CronJob is found by the pod labels of the Job it creates, not by its own labels', () => {
    const m = { ...model(), components: [...model().components, { name: 'clearsessions', podLabels: { app: 'clearsessions' }, ports: [] }] };
    const cronJob = {
      kind: 'CronJob',
      metadata: { name: 'clearsessions', namespace: 'shop', labels: { app: 'not-the-pods' } },
      spec: { schedule: '@daily', jobTemplate: { spec: { template: { metadata: { labels: { app: 'clearsessions' } }, spec: {} } } } },
    };
    const found = t.workloadsOf([{ obj: cronJob, file: 'clearsessions.yaml' }]);
    expect(found).toEqual([{ kind: 'CronJob', name: 'clearsessions', namespace: 'shop', labels: { app: 'clearsessions' }, file: 'clearsessions.yaml' }]);
    const { components, problems } = t.resolveComponents(m, [...workloads, ...found]);
    expect(problems).toEqual([]);
    expect(components[2].pods.map((p) => `${p.kind}/${p.name}`)).toEqual(['CronJob/clearsessions']);
  });
});


describe('an external service by namespace (pods of another namespace of the cluster)', () => {
  const queue = { name: 'queue', namespace: 'messaging', podLabels: { app: 'rabbitmq' }, ports: [{ port: 5672, protocol: 'TCP' }] };
  const withQueue = (x: t.TrafficExternalService = queue): t.TrafficModel => ({
    ...model(),
    externals: [...model().externals!, x],
    allowed: [...model().allowed, { from: { component: 'worker' }, to: { external: x.name }, port: 5672, protocol: 'TCP' }],
  });

  test('is a valid model entry; cidrs and namespace together, neither, or pod labels without a namespace are not', () => {
    expect(t.modelErrors(withQueue())).toEqual([]);
    expect(t.modelErrors(withQueue({ ...queue, podLabels: undefined }))).toEqual([]);
    expect(t.modelErrors(withQueue({ ...queue, cidrs: ['10.9.0.0/24'] }))).toEqual([
      'externals[1] must name either cidrs (addresses outside the cluster) or a namespace (pods of the cluster), not both',
    ]);
    expect(t.modelErrors(withQueue({ name: 'queue', ports: queue.ports }))).toEqual([
      'externals[1] must name either cidrs (addresses outside the cluster) or a namespace (pods of the cluster), not neither',
    ]);
    expect(t.modelErrors(withQueue({ name: 'queue', cidrs: ['10.9.0.0/24'], podLabels: { app: 'x' }, ports: queue.ports }))).toEqual([
      'externals[1].podLabels is only meaningful with a namespace',
    ]);
  });

  test('is probed at its pods, at the other pods of its namespace, and at pods labelled like them elsewhere', () => {
    const m = withQueue();
    const built = t.buildFlows(m, t.resolveComponents(m, workloads).components, {});
    const toQueue = built.flows.filter((f) => f.to.external === 'queue');
    expect(toQueue.map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'web -> queue (pod messaging/app=rabbitmq) :5672/TCP deny',
      'web -> queue (pod messaging/without labels) :5672/TCP deny',
      'web -> queue (pod messaging-elsewhere/app=rabbitmq) :5672/TCP deny',
      'worker -> queue (pod messaging/app=rabbitmq) :5672/TCP allow',
      'worker -> queue (pod messaging/without labels) :5672/TCP deny',
      'worker -> queue (pod messaging-elsewhere/app=rabbitmq) :5672/TCP deny',
    ]);
    // pods: a namespace, their labels, the namespace's name label and an address of the pod network
    const to = toQueue[3].to;
    expect(t.isPod(to)).toBe(true);
    expect(to.namespaceLabels).toEqual({ 'kubernetes.io/metadata.name': 'messaging' });
    expect(t.cidrContains(built.podNetwork!, to.ip!)).toBe(true);
    // its port is probed outside every CIDR too
    expect(built.flows.filter((f) => f.kind === 'outside' && f.port === 5672).map((f) => f.expected)).toEqual(['deny', 'deny']);
  });

  test('without pod labels, every pod of the namespace serves it', () => {
    const m = withQueue({ ...queue, podLabels: undefined });
    const built = t.buildFlows(m, t.resolveComponents(m, workloads).components, {});
    expect(built.flows.filter((f) => f.from.component === 'worker' && f.to.external === 'queue').map((f) => `${t.flowName(f)} ${f.expected}`)).toEqual([
      'worker -> queue (pod messaging/without labels) :5672/TCP allow',
      'worker -> queue (pod messaging-elsewhere/without labels) :5672/TCP deny',
    ]);
  });
});
