#!/usr/bin/env node
// Renders one CeleryWorkerPool (or, with "component":"beat", one CeleryBeat) from the compiled library (lib/)
// with the given test props and prints, as JSON, what the fault tests run: the container's command, env, probes
// and the pod's grace period.
//   node hack/faults/render.js '{"broker":"redis","queue":"faults","taskTimeLimitSeconds":5,...}'
//   node hack/faults/render.js '{"component":"beat","liveness":"none"}'
// Every key is optional; the construct's own defaults apply to what is left out.
'use strict';
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const fs = require('fs');
const { Chart, Testing } = require(path.join(root, 'node_modules', 'cdk8s'));
const lib = require(path.join(root, 'lib'));

const opts = JSON.parse(process.argv[2] || '{}');
const queue = opts.queue || 'faults';
const kind = { redis: lib.BrokerKind.REDIS, rabbitmq: lib.BrokerKind.RABBITMQ }[opts.broker || 'redis'];
if (!kind) throw new Error(`render: unknown broker ${JSON.stringify(opts.broker)} (redis or rabbitmq)`);

const common = {
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
  ...(opts.heartbeatIntervalSeconds !== undefined ? { heartbeatIntervalSeconds: opts.heartbeatIntervalSeconds } : {}),
  ...(opts.heartbeatFile !== undefined ? { heartbeatFile: opts.heartbeatFile } : {}),
  ...(opts.liveness !== undefined ? { liveness: liveness(opts.liveness) } : {}),
};
const resources = { cpuRequest: '500m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };

function liveness(name) {
  const value = { 'heartbeat-file': lib.CeleryLiveness.HEARTBEAT_FILE, 'none': lib.CeleryLiveness.NONE }[name];
  if (!value) throw new Error(`render: unknown liveness ${JSON.stringify(name)} (heartbeat-file or none)`);
  return value;
}

// Testing.app() makes a fresh /tmp/cdk8s.outdir.* folder; nothing is synthesized into it, so it goes at exit.
const app = Testing.app();
process.on('exit', () => fs.rmSync(app.outdir, { recursive: true, force: true }));
const chart = new Chart(app, 'test');
const component = opts.component || 'worker';
const name = component === 'beat' ? beat() : component === 'worker' ? workers() : undefined;
if (!name) throw new Error(`render: unknown component ${JSON.stringify(component)} (worker or beat)`);

function beat() {
  return new lib.CeleryBeat(chart, 'beat', {
    ...common,
    resources,
    ...(opts.scheduler !== undefined ? { scheduler: opts.scheduler } : {}),
  }).deploymentName;
}

function workers() {
  return new lib.CeleryWorkerPool(chart, 'workers', {
    ...common,
    ...(opts.visibilityTimeoutSeconds !== undefined ? { visibilityTimeoutSeconds: opts.visibilityTimeoutSeconds } : {}),
    queues: [{
      name: queue,
      priority: lib.QueuePriority.NORMAL,
      ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
      ...(opts.taskTimeLimitSeconds !== undefined ? { taskTimeLimitSeconds: opts.taskTimeLimitSeconds } : {}),
      ...(opts.softTimeLimitSeconds !== undefined ? { softTimeLimitSeconds: opts.softTimeLimitSeconds } : {}),
      ...(opts.terminationGracePeriodSeconds !== undefined ? { terminationGracePeriodSeconds: opts.terminationGracePeriodSeconds } : {}),
      resources,
    }],
  }).deploymentNames[0];
}

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
