import * as path from 'path';
import { parseArgs, UsageError } from './args';
import { libraryPackage } from './library-package';
import { ImportError } from '../compose/compose';
import { GENERATED_FILES, importCompose, libraryRange, writeImport } from '../compose/importer';

export const IMPORT_USAGE = `usage: k8s-topology import <docker-compose.yml> [--out DIR] [--env-file FILE] [--profile NAMES] [--name APP] [--force]

Reads a Docker Compose file as "docker compose config" does (anchors, merge keys, x- extensions,
extends, profiles, env_file, variable interpolation) and writes a cdk8s app built on DjangoAppChart
that the team then owns: main.ts, package.json, cdk8s.yaml, tsconfig.json, .gitignore, and the
migration report MIGRATION.md with migration.json for CI, which say for every service and every
key whether it was converted, approximated or dropped, and what is left to do by hand.
No secret value is written: secret-looking variables become Secret references.

  --out DIR        the folder of the app (default: deploy)
  --env-file FILE  variables for interpolation instead of .env next to the compose file
  --profile NAMES  profiles to enable, comma-separated (besides COMPOSE_PROFILES)
  --name APP       the app name (default: the compose project name)
  --force          replace the generated files if the folder already has them

Exit status: 0 imported, 1 the compose file cannot be imported (nothing written), 2 usage error.`;

/** `k8s-topology import`: returns the exit status. */
export function importCommand(argv: string[]): number {
  const args = parseArgs(argv, ['out', 'env-file', 'profile', 'name'], ['force']);
  if (args.positionals.length !== 1) throw new UsageError(`import takes one compose file; got ${args.positionals.length ? args.positionals.join(' ') : 'none'}`);
  const [file] = args.positionals;
  const out = args.options.out ?? 'deploy';
  const started = Date.now();
  let result;
  try {
    result = importCompose({
      file,
      envFile: args.options['env-file'],
      environment: process.env,
      profiles: args.options.profile?.split(',').map((p) => p.trim()).filter(Boolean),
      name: args.options.name,
      library: { name: libraryPackage().name, versionRange: libraryRange(libraryPackage().version) },
    });
  } catch (e) {
    if (!(e instanceof ImportError)) throw e;
    console.error(`k8s-topology import: ${e.message}; nothing written`);
    return 1;
  }
  try {
    writeImport(out, result.files, args.flags.has('force'));
  } catch (e) {
    console.error(`k8s-topology import: ${(e as Error).message}; nothing written`);
    return 1;
  }
  const r = result.report;
  const shown = path.relative(process.cwd(), path.resolve(out)) || '.';
  for (const s of r.services) console.log(`  ${s.name.padEnd(24)} ${s.status.padEnd(12)} ${s.becomes}`);
  console.log(`imported ${r.summary.services} services from ${r.source} into ${shown}/ (${GENERATED_FILES.join(', ')}) in ${Date.now() - started} ms: `
    + `services ${r.summary.servicesBy.converted} converted, ${r.summary.servicesBy.approximated} approximated, ${r.summary.servicesBy.dropped} dropped; `
    + `keys ${r.summary.keys.converted} converted, ${r.summary.keys.approximated} approximated, ${r.summary.keys.dropped} dropped; `
    + `${r.secrets.length} Secret keys and ${r.todo.length} things to do by hand are in ${shown}/MIGRATION.md`);
  return 0;
}
