/**
 * `k8s-topology run suite.ts <outdir> <version>`: the shop's suite environment (SUITE_ENVIRONMENT) alone,
 * rendered by the same code as staging and production, for the suites that run the shop's images
 * without a cluster (`npm run test:images`). Its external services are test hosts in 203.0.113.0/24.
 */
import { shopSuiteApp } from './app';

const [outdir, version] = process.argv.slice(2);
if (!outdir || !version) {
  console.error('usage: k8s-topology run suite.ts <outdir> <version>');
  process.exit(2);
}
shopSuiteApp(outdir, version).synth();
