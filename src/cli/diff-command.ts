import { parseArgs, UsageError } from './args';
import { RenderDiff } from '../delivery/manifest-diff';

export const DIFF_USAGE = `usage: k8s-topology diff <old> <new> [--repo DIR]

Shows what changed between two renders: first, per folder (environment), the release
(app.kubernetes.io/version) and the images whose tag changed (old -> new, and the workloads that
run them); then object by object and field by field. Fails on changes that Kubernetes rejects or
that cause downtime: a changed Deployment selector, a removed or renamed Service or Deployment, a
removed PodDisruptionBudget, a changed non-hook Job template.
Each side is a render folder or a revision of the repository (rendered~1, rendered, a commit).
When <old> is rendered (or origin/rendered) and the repository has neither yet, as before the
first publish, it says that nothing is published yet, lists every object of <new> as added and
exits 0. Any other side that is neither a folder nor a revision is an error.

  --repo DIR   the repository revisions are read from (default: the working directory)

Exit status: 0 no unsafe change (or nothing published yet), 1 unsafe changes, 2 usage or read error.`;

/** `k8s-topology diff`: returns the exit status. */
export function diffCommand(argv: string[]): number {
  const args = parseArgs(argv, ['repo']);
  if (args.positionals.length !== 2) throw new UsageError(`diff takes two renders (old and new); got ${args.positionals.length}`);
  const [before, after] = args.positionals;
  try {
    const report = RenderDiff.compare(before, after, args.options.repo);
    console.log(report.text);
    return report.safe ? 0 : 1;
  } catch (e) {
    console.error(`k8s-topology diff: ${(e as Error).message}`);
    return 2;
  }
}
