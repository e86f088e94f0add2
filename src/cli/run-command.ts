import { AppNotFoundError, runApp } from './app-runner';
import { UsageError } from './args';

export const RUN_USAGE = `usage: k8s-topology run <app.ts|app.js> [args...]

Runs a cdk8s app module as "node <app>" would, with the arguments after it. A .ts or .cts file, and
every .ts file it imports, is turned into JavaScript on the fly by the TypeScript runner that comes
with this package: neither ts-node nor TypeScript is needed, and types are not checked
("k8s-topology render --typecheck" runs your own tsc --noEmit first). Put it in cdk8s.yaml,
"app: npx k8s-topology run main.ts", and "cdk8s synth" and "k8s-topology render" run the same app
(render runs it without npx).

Exit status: 0 the app finished, 1 the app threw, 2 usage error or no such file.`;

/** `k8s-topology run`: runs the app in this process; returns the exit status once its synchronous part ends. */
export function runCommand(argv: string[]): number {
  const [file, ...args] = argv;
  if (file === undefined || file.startsWith('-')) throw new UsageError(file === undefined ? 'run needs the app module to run' : `unknown option ${file}`);
  try {
    runApp(file, args);
  } catch (e) {
    if (e instanceof AppNotFoundError) throw new UsageError(e.message);
    console.error(`k8s-topology run: ${file} failed: ${e instanceof Error && e.stack ? e.stack : String(e)}`);
    return 1;
  }
  // An exit code the app set itself stands.
  return Number(process.exitCode ?? 0);
}
