import { parseArgs, UsageError } from './args';
import { projectOutput } from './project';
import { DEFAULT_RENDERED_BRANCH } from '../delivery/argocd-folder';
import { readProjectConfig } from '../delivery/project-config';
import { RenderedBranch } from '../delivery/rendered-branch';

export const PUBLISH_USAGE = `usage: k8s-topology publish [--source DIR] [--branch NAME] [--repo DIR] [--source-commit SHA] [--author "Name <email>"]

Commits a render as the whole tree of the rendered branch, with git plumbing only: the working
tree, the index and the checked-out branch are never touched; no commit is made when the branch
already has this tree; the branch moves with compare-and-swap. Pushing is left to the pipeline.

  --source DIR         the render (default: the output folder of cdk8s.yaml, else dist/manifests)
  --branch NAME        the branch (default: ${DEFAULT_RENDERED_BRANCH})
  --repo DIR           the repository (default: the working directory)
  --source-commit SHA  the commit the render was made from (default: HEAD of --repo)
  --author "N <e>"     who commits when git has no identity (default: k8sTopology.gitAuthor of
                       package.json, else "<package name> render <render@localhost>")

Exit status: 0 published or unchanged, 1 publish failed (branch not moved), 2 usage error.`;

/** `k8s-topology publish`: returns the exit status. */
export function publishCommand(argv: string[]): number {
  const args = parseArgs(argv, ['source', 'branch', 'repo', 'source-commit', 'author']);
  if (args.positionals.length) throw new UsageError(`publish takes no arguments besides its options; got ${args.positionals.join(' ')}`);
  const author = args.options.author ?? readProjectConfig().gitAuthor;
  const parsed = author === undefined ? undefined : /^(.+?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(author);
  if (author !== undefined && !parsed) throw new UsageError(`--author must be "Name <email>"; got ${JSON.stringify(author)}`);
  try {
    const result = RenderedBranch.publish({
      source: args.options.source ?? projectOutput(),
      repo: args.options.repo ?? '.',
      branch: args.options.branch ?? DEFAULT_RENDERED_BRANCH,
      sourceCommit: args.options['source-commit'],
      authorName: parsed?.[1],
      authorEmail: parsed?.[2],
    });
    const subject = result.message.split('\n')[0];
    console.log(result.commit
      ? `${result.branch}: committed ${result.commit.slice(0, 12)} (tree ${result.tree.slice(0, 12)}): ${subject}`
      : `${result.branch}: unchanged (tree ${result.tree.slice(0, 12)} is already the tip's); no commit made`);
    return 0;
  } catch (e) {
    console.error(`k8s-topology publish: failed, branch not moved: ${(e as Error).message}`);
    return 1;
  }
}
