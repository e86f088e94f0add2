#!/usr/bin/env node
import { UsageError } from './args';
import { DIFF_USAGE, diffCommand } from './diff-command';
import { IMPORT_USAGE, importCommand } from './import-command';
import { libraryPackage } from './library-package';
import { PREVIEW_USAGE, previewCommand } from './preview-command';
import { PUBLISH_USAGE, publishCommand } from './publish-command';
import { RELEASE_USAGE, releaseCommand } from './release-command';
import { RENDER_USAGE, renderCommand } from './render-command';
import { RUN_USAGE, runCommand } from './run-command';

// `passThrough`: the arguments after the first belong to the app, so only a first --help is the command's.
const COMMANDS: Record<string, { usage: string; run: (argv: string[]) => number; passThrough?: boolean }> = {
  render: { usage: RENDER_USAGE, run: renderCommand },
  run: { usage: RUN_USAGE, run: runCommand, passThrough: true },
  diff: { usage: DIFF_USAGE, run: diffCommand },
  publish: { usage: PUBLISH_USAGE, run: publishCommand },
  preview: { usage: PREVIEW_USAGE, run: previewCommand },
  import: { usage: IMPORT_USAGE, run: importCommand },
  release: { usage: RELEASE_USAGE, run: releaseCommand },
};

const USAGE = `usage: k8s-topology <command> [options]

Commands:
  render    run the cdk8s app and write the versioned, deterministic render
  diff      compare two renders and fail on changes that Kubernetes rejects or that cause downtime
  publish   commit a render to the rendered branch that Argo CD follows
  preview   render, publish or remove the environment of one pull request (previews/pr-N)
  import    turn a Docker Compose file into a cdk8s app on DjangoAppChart and a migration report
  run       run a cdk8s app module, a .ts file without ts-node or TypeScript (cdk8s.yaml's "app")
  release   move an environment's release pin in releases.json (CI, after building an image)

Run "k8s-topology <command> --help" for a command's options. "k8s-topology --version" prints the version.`;

/** Runs the CLI and returns its exit status. */
export function main(argv: string[]): number {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const topic = name === 'help' ? COMMANDS[rest[0]] : undefined;
    console.log(topic ? topic.usage : USAGE);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    console.log(libraryPackage().version);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    console.error(`k8s-topology: unknown command "${name}"\n\n${USAGE}`);
    return 2;
  }
  const own = command.passThrough ? rest.slice(0, 1) : rest;
  if (own.includes('--help') || own.includes('-h')) {
    console.log(command.usage);
    return 0;
  }
  try {
    return command.run(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`k8s-topology ${name}: ${e.message}\n\n${command.usage}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
