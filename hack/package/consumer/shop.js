// A consumer's whole app on the generic chart, rendered by `npx k8s-topology render` (cdk8s.yaml: app: node shop.js).
// The release comes from releases.json, which the package test moves with `k8s-topology release` for a safe
// second render; SHOP_BACKEND_NAME lets it make an unsafe third one.
const t = require('@picvario/k8s-topology');

const size = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const pins = t.ReleasePins.fromFile('releases.json');
const app = new t.DeliveryApp({ releasePins: pins, argoCd: { repoUrl: 'https://git.example.com/shop/deploy.git' } });
new t.DjangoAppChart(app, 'production', {
  ...pins.of('production'),
  appName: 'shop',
  namespace: 'shop',
  image: 'registry.example.com/shop/api',
  celeryApp: 'shop.celery',
  settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
  broker: { kind: t.BrokerKind.REDIS, secretName: 'shop-broker' },
  backend: { resources: size, minReplicas: 3, maxReplicas: 10, name: process.env.SHOP_BACKEND_NAME || 'backend' },
  workers: {
    queues: [
      { name: 'default', priority: t.QueuePriority.NORMAL, resources: size },
      { name: 'reports', priority: t.QueuePriority.LOW, minReplicas: 0, resources: size },
    ],
  },
  beat: { resources: size },
  migrations: { resources: size, steps: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }] },
  edge: { host: 'shop.example.com', ingressNamespace: 'ingress-nginx', resources: size },
  externalServices: [
    { name: 'postgres', cidrs: ['10.60.1.0/24'], ports: [5432] },
    { name: 'redis', cidrs: ['10.60.2.0/24'], ports: [6379] },
    { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [t.ComponentGroup.APP_CODE, t.ComponentGroup.EDGE] },
  ],
});
app.synth();
