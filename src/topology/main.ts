import { ENVIRONMENTS } from './environments';
import { renderAll } from './render';

// Entry point of `npm run synth` and of `cdk8s synth` (cdk8s.yaml): renders every environment.
const outdir = process.argv[2] ?? process.env.CDK8S_OUTDIR ?? 'dist/manifests';
try {
  renderAll(ENVIRONMENTS, outdir, (line) => console.log(line));
  console.log(`rendered ${ENVIRONMENTS.length} environments into ${outdir}/`);
} catch (e) {
  console.error(`render failed, nothing written: ${(e as Error).message}`);
  process.exitCode = 1;
}
