// Set up before every unit-test file (`npm test`; .projenrc.ts, setupFilesAfterEnv): a unit test starts no
// process. One that does (git, ts-node, tsc, npm, a shell, the app behind `k8s-topology render`) fails,
// naming the command; it belongs in a *.integration.ts file, which `npm run test:integration` runs.
// Node's child_process module is one object per worker, so it is patched for this file and restored after it
// (the default import is that object itself; `import * as` would be a copy).
import childProcess from 'child_process';

const FUNCTIONS = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'] as const;
const originals = new Map(FUNCTIONS.map((name) => [name, childProcess[name]]));
const started: string[] = [];

for (const name of FUNCTIONS) {
  (childProcess as any)[name] = (command: unknown, args?: unknown) => {
    const what = [command, ...(Array.isArray(args) ? args : [])].map(String).join(' ').slice(0, 200);
    started.push(`${name} ${what}`);
    throw new Error(`a unit test started a process (${name} ${what}): move the test to a *.integration.ts file, which npm run test:integration runs`);
  };
}

afterEach(() => {
  // The error above may be caught by the code under test; the test still fails here.
  const these = started.splice(0);
  if (these.length) throw new Error(`a unit test started ${these.length} process(es): ${these.join('; ')}; move the test to a *.integration.ts file`);
});

afterAll(() => {
  for (const [name, original] of originals) (childProcess as any)[name] = original;
});
