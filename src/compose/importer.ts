import * as fs from 'fs';
import * as path from 'path';
import { enumsUsed, Printer, wrap } from './codegen';
import { loadCompose } from './compose';
import { ComposeMapper, MappedApp } from './mapper';
import { MigrationReport, renderJson, renderMarkdown } from './report';

export interface ImportOptions {
  /** The compose file. */
  readonly file: string;
  /** Variables for interpolation instead of `.env` next to the compose file. */
  readonly envFile?: string;
  /** The shell environment (compose lets it win over the env file). */
  readonly environment?: Record<string, string | undefined>;
  /** Profiles to enable besides COMPOSE_PROFILES. */
  readonly profiles?: string[];
  /** The app name instead of the compose project name. */
  readonly name?: string;
  /**
   * The library the generated app imports and depends on: its package name and the version range
   * of package.json. The CLI passes its own package (so a fork or a scoped republish names itself).
   */
  readonly library: ImportedLibrary;
}

/** The package the generated app imports its constructs from. */
export interface ImportedLibrary {
  /** The npm package name, as the generated main.ts imports it. */
  readonly name: string;
  /** The version range the generated package.json depends on (see {@link libraryRange}). */
  readonly versionRange: string;
}

export interface ImportResult {
  /** File name → content, in the order they are written. */
  readonly files: Record<string, string>;
  readonly report: MigrationReport;
  readonly app: MappedApp;
}

/** The version range an app depends on for a library at `version`: that release, or any for an unreleased build. */
export function libraryRange(version: string): string {
  return version !== '0.0.0' ? `^${version}` : '*';
}

function mainTs(app: MappedApp, library: ImportedLibrary): string {
  const printer = new Printer(app.comments);
  const enums = [...enumsUsed(app.props)];
  const names = [...new Set([...enums, 'DeliveryApp', 'DjangoAppChart'])].sort();
  const r = app.report;
  const header = [
    `The Kubernetes app of "${app.appName}", imported from ${r.source} by \`k8s-topology import\`.`,
    'This file is yours now: edit it, commit it, and render it with `npx k8s-topology render`.',
    `MIGRATION.md says what became of each compose service and key (${r.summary.keys.converted} converted, ${r.summary.keys.approximated} approximated, ${r.summary.keys.dropped} dropped) and what is left to do by hand; each TODO(import) below is one of those items.`,
  ];
  const lines: string[] = [];
  for (const h of header) for (const l of wrap(h, 100)) lines.push(`// ${l}`);
  lines.push(`import { ${names.join(', ')} } from '${library.name}';`, '');
  lines.push('// The render: one folder per chart, and the Argo CD folder that syncs them from the rendered branch');
  lines.push('// of the repository named in package.json.');
  lines.push('const app = new DeliveryApp({ argoCd: {} });', '');
  lines.push(`new DjangoAppChart(app, '${app.chartId}', ${printer.print(app.props, '', '')});`, '');
  lines.push('app.synth();', '');
  return lines.join('\n');
}

function packageJson(app: MappedApp, library: ImportedLibrary): string {
  const pkg = {
    name: `${app.appName}-deploy`,
    version: '0.1.0',
    private: true,
    description: `The Kubernetes render of ${app.appName}, imported from ${app.report.source} by k8s-topology import`,
    repository: app.repoUrl,
    scripts: {
      'render': 'k8s-topology render',
      'diff': 'k8s-topology diff',
      'publish:rendered': 'k8s-topology publish',
    },
    dependencies: {
      [library.name]: library.versionRange,
      'cdk8s': '^2.70.0',
      'cdk8s-plus-27': '^2.9.5',
      'constructs': '^10.3.0',
    },
    // Only for `k8s-topology render --typecheck`: the render itself runs main.ts with the package's runner.
    devDependencies: {
      typescript: '^6.0.3',
    },
  };
  return JSON.stringify(pkg, null, 2) + '\n';
}

// The app line of the README: `k8s-topology render` and `cdk8s synth` both run main.ts with the package's runner.
const CDK8S_YAML = 'language: typescript\napp: npx k8s-topology run main.ts\noutput: dist/manifests\n';

const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: 'ES2022',
    module: 'node16',
    moduleResolution: 'node16',
    strict: true,
    noEmit: true,
    skipLibCheck: true,
  },
  include: ['*.ts'],
}, null, 2) + '\n';

const GITIGNORE = 'node_modules/\ndist/\n';

/**
 * Imports a compose file: reads it as `docker compose config` would, maps every service onto the
 * generic app chart and returns the files of the generated app and its migration report.
 * Throws ImportError on input it cannot import; nothing is written here.
 */
export function importCompose(options: ImportOptions): ImportResult {
  const project = loadCompose({
    file: options.file,
    envFile: options.envFile,
    environment: options.environment ?? {},
    profiles: options.profiles,
    name: options.name,
  });
  const app = new ComposeMapper(project).map();
  const files: Record<string, string> = {
    'main.ts': mainTs(app, options.library),
    'package.json': packageJson(app, options.library),
    'cdk8s.yaml': CDK8S_YAML,
    'tsconfig.json': TSCONFIG,
    '.gitignore': GITIGNORE,
    'MIGRATION.md': renderMarkdown(app.report),
    'migration.json': renderJson(app.report),
  };
  return { files, report: app.report, app };
}

/** The files `import` writes; with `force`, these and only these are replaced. */
export const GENERATED_FILES = ['main.ts', 'package.json', 'cdk8s.yaml', 'tsconfig.json', '.gitignore', 'MIGRATION.md', 'migration.json'];

/**
 * Writes the generated files into `dir`. Refuses to overwrite any of them unless `force`; each file is
 * written to a temporary name and renamed, so a reader never sees half a file.
 */
export function writeImport(dir: string, files: Record<string, string>, force: boolean): void {
  const existing = Object.keys(files).filter((f) => fs.existsSync(path.join(dir, f)));
  if (existing.length && !force) {
    throw new Error(`${dir} already has ${existing.join(', ')}; use --force to replace the generated files`);
  }
  fs.mkdirSync(dir, { recursive: true });
  const temps: [string, string][] = [];
  try {
    for (const [name, content] of Object.entries(files)) {
      const tmp = path.join(dir, `.${name}.import-tmp`);
      fs.writeFileSync(tmp, content);
      temps.push([tmp, path.join(dir, name)]);
    }
    for (const [tmp, final] of temps) fs.renameSync(tmp, final);
  } catch (e) {
    for (const [tmp] of temps) fs.rmSync(tmp, { force: true });
    throw e;
  }
}
