// Asserts on a consumer app's synth output: `node check-output.js <outdir> <label>`.
// Both consumer apps (JavaScript and Python) must produce the same Deployments, none of them with
// replicas, since an HPA or KEDA owns each count.
const fs = require('fs');
const path = require('path');
const { parseAllDocuments } = require('yaml');

const [dir, label] = process.argv.slice(2);
const files = fs.readdirSync(dir).filter((f) => f.endsWith('.k8s.yaml'));
const objects = files.flatMap((f) => parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()));
const deployments = objects.filter((o) => o.kind === 'Deployment');
const failures = [];
const expect = (ok, message) => { if (!ok) failures.push(message); };

const names = deployments.map((d) => d.metadata.name).sort();
expect(JSON.stringify(names) === JSON.stringify(['backend', 'worker-default', 'worker-media']), `Deployments are ${JSON.stringify(names)}, expected backend, worker-default, worker-media`);
for (const d of deployments) expect(d.spec.replicas === undefined, `Deployment ${d.metadata.name} writes replicas (${d.spec.replicas}) although it is autoscaled`);
expect(objects.some((o) => o.kind === 'HorizontalPodAutoscaler' && o.spec.scaleTargetRef.name === 'backend'), 'no HPA targets backend');
const scaled = objects.filter((o) => o.kind === 'ScaledObject').map((o) => o.spec.scaleTargetRef.name).sort();
expect(JSON.stringify(scaled) === JSON.stringify(['worker-default', 'worker-media']), `ScaledObjects target ${JSON.stringify(scaled)}`);

if (failures.length) {
  console.error(`${label}: FAILED\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
console.log(`${label}: ok (${objects.length} objects; Deployments ${names.join(', ')}; none writes replicas)`);
