import { ENVIRONMENTS } from './environments';
import { packageInfo } from './package-info';
import { renderAll } from './render';

// Entry point of `npm run synth` and of `cdk8s synth` (cdk8s.yaml): renders every environment.
const outdir = process.argv[2] ?? process.env.CDK8S_OUTDIR ?? 'dist/manifests';
try {
  const pkg = packageInfo();
  const started = Date.now();
  const folders = renderAll(ENVIRONMENTS, outdir, (line) => console.log(line), { pkg, argoCd: true });
  const objects = folders.reduce((n, f) => n + f.objects.length, 0);
  console.log(`rendered ${ENVIRONMENTS.length} environments and the Argo CD folder (${objects} objects, ${pkg.name} ${pkg.version}) into ${outdir}/ in ${Date.now() - started} ms`);
} catch (e) {
  console.error(`render failed, previous render left as it was: ${(e as Error).message}`);
  process.exitCode = 1;
}
