// Jest's globalSetup for the unit and the integration tests: every temporary folder a test makes (through
// os.tmpdir(), which reads TMPDIR) goes into one folder for the run, which test/temp-root-teardown.ts
// removes. Tests can then make renders and work folders freely without leaving them in /tmp.
// globalSetup runs in jest's parent process before the workers start, and the workers inherit its
// environment; run in band, the tests run in this same process.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

export const TEMP_ROOT_VARIABLE = 'K8S_TOPOLOGY_TEST_TEMP_ROOT';

export default function makeTempRoot(): void {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'k8s-topology-tests-'));
  process.env[TEMP_ROOT_VARIABLE] = root;
  process.env.TMPDIR = root;
}
