#!/usr/bin/env node
// Renders one CeleryWorkerPool from the compiled library (lib/) with the given test props and prints, as JSON,
// what the fault tests run: the worker container's command, env, probes and the pod's grace period.
//   node hack/faults/render.js '{"broker":"redis","queue":"faults","taskTimeLimitSeconds":5,...}'
// Every key is optional; the construct's own defaults apply to what is left out.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const { Testing } = require(path.join(root, 'node_modules', 'cdk8s'));
const lib = require(path.join(root, 'lib'));

const opts = JSON.parse(process.argv[2] || '{}');
const queue = opts.queue || 'faults';
const kind = { redis: lib.BrokerKind.REDIS, rabbitmq: lib.BrokerKind.RABBITMQ }[opts.broker || 'redis'];
if (!kind) throw new Error(`render: unknown broker ${JSON.stringify(opts.broker)} (redis or rabbitmq)`);

const chart = Testing.chart();
const pool = new lib.CeleryWorkerPool(chart, 'workers', {
  appName: 'picvario',
  image: 'registry.example.com/picvario/backend',
  tag: 'faults-1',
  celeryApp: opts.celeryApp || 'fixture_app.celery',
  settings: new lib.DjangoSettings({
    settingsModule: 'fixture_app.settings',
    secretName: 'picvario-django',
    mediaBucket: 'picvario-media',
    staticBucket: 'picvario-static',
    s3Region: 'eu-central-1',
  }),
  broker: new lib.CeleryBroker({
    kind,
    secretName: 'picvario-broker',
    ...(opts.redisDatabaseIndex !== undefined ? { redisDatabaseIndex: opts.redisDatabaseIndex } : {}),
  }),
  ...(opts.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds } : {}),
  ...(opts.heartbeatIntervalSeconds !== undefined ? { heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds } : {}),
  ...(opts.heartbeatFile !== undefined ? { heartbeatFile: opts.heartbeatFile } : {}),
  queues: [{
    name: queue,
    priority: lib.QueuePriority.NORMAL,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.taskTimeLimitSeconds !== undefined ? { taskTimeLimitSeconds: opts.taskTimeLimitSeconds } : {}),
    ...(opts.softTimeLimitSeconds !== undefined ? { softTimeLimitSeconds: opts.softTimeLimitSeconds } : {}),
    ...(opts.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds } : {}),
    resources: { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' },
  }],
});

const name = pool.deploymentNames[0];
const manifests = chart.toJson();
const deployment = manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === name);
if (!deployment) throw new Error(`render: no Deployment named ${name} in the chart`);
const spec = deployment.spec.template.spec;
const container = spec.containers.find((c) => c.name === name) || spec.containers[0];
process.stdout.write(JSON.stringify({
  props: opts,
  deploymentName: name,
  command: container.command,
  args: container.args || [],
  env: container.env || [],
  livenessProbe: container.livenessProbe,
  startupProbe: container.startupProbe,
  terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds,
}, null, 2) + '\n');
