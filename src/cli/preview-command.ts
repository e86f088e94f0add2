import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, UsageError } from './args';
import { renderCommand } from './render-command';
import { checkPullRequest, PREVIEW_PR_VARIABLE } from '../app/preview-environment';
import { DEFAULT_RENDERED_BRANCH } from '../delivery/argocd-folder';
import { readProjectConfig } from '../delivery/project-config';
import { PREVIEWS_FOLDER, RenderedBranch } from '../delivery/rendered-branch';

export const DEFAULT_PREVIEW_OUTPUT = 'dist/previews';

export const PREVIEW_USAGE = `usage: k8s-topology preview render  --pr N [<module.js|module.ts> | --app "<command>"] [--out DIR] [--typecheck]
       k8s-topology preview publish --pr N [--source DIR] [--branch NAME] [--repo DIR] [--source-commit SHA] [--author "Name <email>"]
       k8s-topology preview remove  --pr N [--branch NAME] [--repo DIR] [--author "Name <email>"]

The environment of one pull request (PreviewEnvironment): namespace <app>-pr-N, host pr-N.<domain>.

  render   runs the app as "k8s-topology render" does, with ${PREVIEW_PR_VARIABLE}=N set: the app
           renders only the chart PreviewEnvironment.fromEnvironment(domain) derives, into folder
           pr-N of --out (default: ${DEFAULT_PREVIEW_OUTPUT}). A render with any other folder fails.
  publish  commits pr-N of --source (default: ${DEFAULT_PREVIEW_OUTPUT}) as ${PREVIEWS_FOLDER}/pr-N of the
           rendered branch, every other folder left as it is (git plumbing, compare-and-swap).
  remove   removes ${PREVIEWS_FOLDER}/pr-N from the rendered branch (CI, when the pull request closes);
           the ApplicationSet of argoCd.previews then deletes the Application and its resources.

  --pr N               the pull request number, an integer from 1 to 999999999
  other options        as for render and publish (--branch default: ${DEFAULT_RENDERED_BRANCH})

Exit status: 0 done or unchanged, 1 failed (nothing written, branch not moved), 2 usage error.`;

function pullRequest(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--pr is required: the pull request number');
  try {
    return checkPullRequest('--pr', 'value', value);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function author(value: string | undefined): { name?: string; email?: string } {
  const a = value ?? readProjectConfig().gitAuthor;
  if (a === undefined) return {};
  const parsed = /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(a);
  if (!parsed) throw new UsageError(`--author must be "Name <email>"; got ${JSON.stringify(a)}`);
  return { name: parsed[1], email: parsed[2] };
}

/** Splits `--pr N` (or `--pr=N`) off the arguments another command parses. */
function takePr(argv: string[]): { pr: number; rest: string[] } {
  const rest: string[] = [];
  let value: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const m = /^--pr(?:=(.*))?$/.exec(argv[i]);
    if (!m) {
      rest.push(argv[i]);
      continue;
    }
    if (value !== undefined) throw new UsageError('--pr is given twice');
    value = m[1] ?? argv[++i];
    if (value === undefined) throw new UsageError('--pr needs a value');
  }
  return { pr: pullRequest(value), rest };
}

function render(argv: string[]): number {
  const { pr, rest } = takePr(argv);
  const args = parseArgs(rest, ['app', 'out'], ['typecheck']);
  const out = args.options.out ?? DEFAULT_PREVIEW_OUTPUT;
  const renderArgv = [
    ...args.positionals, ...(args.options.app !== undefined ? ['--app', args.options.app] : []),
    '--out', out, ...(args.flags.has('typecheck') ? ['--typecheck'] : []),
  ];
  const saved = process.env[PREVIEW_PR_VARIABLE];
  process.env[PREVIEW_PR_VARIABLE] = String(pr);
  let status: number;
  try {
    status = renderCommand(renderArgv);
  } finally {
    if (saved === undefined) delete process.env[PREVIEW_PR_VARIABLE];
    else process.env[PREVIEW_PR_VARIABLE] = saved;
  }
  if (status !== 0) return status;
  const folders = fs.readdirSync(out).sort();
  if (folders.length !== 1 || folders[0] !== `pr-${pr}`) {
    fs.rmSync(out, { recursive: true, force: true });
    console.error(`k8s-topology preview render: a preview render holds only the folder pr-${pr}; the app rendered ${folders.join(', ')}. `
      + 'Render only the chart of PreviewEnvironment.fromEnvironment(domain) (id preview.folder), and no Argo CD folder, when it returns a preview; nothing was kept');
    return 1;
  }
  return 0;
}

function publish(argv: string[]): number {
  const { pr, rest } = takePr(argv);
  const args = parseArgs(rest, ['source', 'branch', 'repo', 'source-commit', 'author']);
  if (args.positionals.length) throw new UsageError(`preview publish takes no arguments besides its options; got ${args.positionals.join(' ')}`);
  const who = author(args.options.author);
  try {
    const source = path.join(args.options.source ?? DEFAULT_PREVIEW_OUTPUT, `pr-${pr}`);
    if (!fs.existsSync(source)) throw new Error(`${source} does not exist; render first (k8s-topology preview render --pr ${pr})`);
    const result = RenderedBranch.publishFolder({
      source,
      folder: `${PREVIEWS_FOLDER}/pr-${pr}`,
      repo: args.options.repo ?? '.',
      branch: args.options.branch ?? DEFAULT_RENDERED_BRANCH,
      sourceCommit: args.options['source-commit'],
      authorName: who.name,
      authorEmail: who.email,
    });
    console.log(result.commit
      ? `${result.branch}: committed ${result.commit.slice(0, 12)}: ${result.message.split('\n')[0]}`
      : `${result.branch}: unchanged (${PREVIEWS_FOLDER}/pr-${pr} is already the tip's); no commit made`);
    return 0;
  } catch (e) {
    console.error(`k8s-topology preview publish: failed, branch not moved: ${(e as Error).message}`);
    return 1;
  }
}

function remove(argv: string[]): number {
  const { pr, rest } = takePr(argv);
  const args = parseArgs(rest, ['branch', 'repo', 'author']);
  if (args.positionals.length) throw new UsageError(`preview remove takes no arguments besides its options; got ${args.positionals.join(' ')}`);
  const who = author(args.options.author);
  try {
    const result = RenderedBranch.removeFolder({
      folder: `${PREVIEWS_FOLDER}/pr-${pr}`,
      repo: args.options.repo ?? '.',
      branch: args.options.branch ?? DEFAULT_RENDERED_BRANCH,
      authorName: who.name,
      authorEmail: who.email,
    });
    console.log(result.commit
      ? `${result.branch}: committed ${result.commit.slice(0, 12)}: remove ${PREVIEWS_FOLDER}/pr-${pr}`
      : `${result.branch}: unchanged (no ${PREVIEWS_FOLDER}/pr-${pr}); no commit made`);
    return 0;
  } catch (e) {
    console.error(`k8s-topology preview remove: failed, branch not moved: ${(e as Error).message}`);
    return 1;
  }
}

/** `k8s-topology preview render|publish|remove --pr N`: returns the exit status. */
export function previewCommand(argv: string[]): number {
  const [action, ...rest] = argv;
  if (action === 'render') return render(rest);
  if (action === 'publish') return publish(rest);
  if (action === 'remove') return remove(rest);
  throw new UsageError(action === undefined ? 'preview needs an action: render, publish or remove' : `unknown preview action "${action}"; expected render, publish or remove`);
}
