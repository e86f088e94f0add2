// A consumer's cdk8s app written against the installed npm package: `node app.js <outdir>`.
const { App, Chart } = require('cdk8s');
const t = require('@picvario/k8s-topology');

const app = new App({ outdir: process.argv[2] });
const chart = new Chart(app, 'shop', { namespace: 'shop', disableResourceNameHashes: true });
const settings = new t.DjangoSettings({
  settingsModule: 'shop.settings', secretName: 'shop-app',
  mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-central-1',
});
const broker = new t.CeleryBroker({ kind: t.BrokerKind.REDIS, secretName: 'shop-broker' });
const resources = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const image = { appName: 'shop', image: 'registry.example/shop/backend', tag: '1.0.0', settings, broker };
new t.DjangoBackend(chart, 'backend', { ...image, resources, minReplicas: 2, maxReplicas: 4 });
new t.CeleryWorkerPool(chart, 'workers', {
  ...image,
  celeryApp: 'shop.celery',
  queues: [
    { name: 'default', priority: t.QueuePriority.NORMAL, minReplicas: 1, maxReplicas: 3, resources },
    { name: 'media', priority: t.QueuePriority.HIGH, minReplicas: 0, maxReplicas: 5, resources },
  ],
});
app.synth();
