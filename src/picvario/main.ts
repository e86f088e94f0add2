import { EnvironmentSpec } from './environment-spec';
import { ENVIRONMENTS } from './environments';
import { PicvarioEnvironment } from './picvario-environment';
import { DeliveryApp } from '../delivery/delivery-app';

// The Picvario render: what `cdk8s synth` and `k8s-topology render` (npm run synth) run.
// The output folder is CDK8S_OUTDIR, which both set; the package name, version, repository and
// annotation domain come from package.json. `argoCdRepoUrl` is the repository Argo CD syncs from
// (default: package.json's), which the suites point at a repository of their own.
export function picvarioApp(outdir?: string, specs: EnvironmentSpec[] = ENVIRONMENTS, argoCdRepoUrl?: string): DeliveryApp {
  const app = new DeliveryApp({
    outdir,
    argoCd: { project: 'picvario', description: 'Picvario environments, synced from the rendered branch', repoUrl: argoCdRepoUrl },
  });
  for (const spec of specs) new PicvarioEnvironment(app, spec.name, spec);
  return app;
}

if (require.main === module) {
  try {
    picvarioApp().synth();
  } catch (e) {
    console.error(`render failed, previous render left as it was: ${(e as Error).message}`);
    process.exitCode = 1;
  }
}
