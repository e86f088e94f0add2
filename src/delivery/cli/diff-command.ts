import { parseArgs, UsageError } from './args';
import { RenderDiff } from '../manifest-diff';

export const DIFF_USAGE = `usage: k8s-topology diff <old> <new> [--repo DIR]

Shows what changed between two renders: first, per folder (environment), the release
(app.kubernetes.io/version) and the images whose tag changed (old -> new, and the workloads that
run them); then object by object and field by field. Fails on changes that Kubernetes rejects or
that cause downtime: a changed Deployment selector, a removed or renamed Service or Deployment, a
removed PodDisruptionBudget, a changed non-hook Job template.
Each side is a render folder or a revision of the repository (rendered~1, rendered, a commit).

  --repo DIR   the repository revisions are read from (default: the working directory)

Exit status: 0 no unsafe change, 1 unsafe changes, 2 usage or read error.`;

/** `k8s-topology diff`: returns the exit status. */
export function diffCommand(argv: string[]): number {
  const args = parseArgs(argv, ['repo']);
  if (args.positionals.length !== 2) throw new UsageError(`diff takes two renders (old and new); got ${args.positionals.length}`);
  const [before, after] = args.positionals;
  let report;
  try {
    report = RenderDiff.compare(before, after, args.options.repo);
  } catch (e) {
    console.error(`k8s-topology diff: ${(e as Error).message}`);
    return 2;
  }
  console.log(report.text);
  return report.safe ? 0 : 1;
}
