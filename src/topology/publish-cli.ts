import { RENDERED_BRANCH } from './argocd';
import { publishRendered } from './rendered-branch';

// `npm run publish:rendered -- [--branch B] [--source DIR] [--repo DIR] [--source-commit SHA]`
const USAGE = 'usage: npm run publish:rendered -- [--branch rendered] [--source dist/manifests] [--repo .] [--source-commit SHA]';
const options: Record<string, string> = { 'branch': RENDERED_BRANCH, 'source': 'dist/manifests', 'repo': '.', 'source-commit': '' };
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i += 2) {
  const name = args[i].replace(/^--/, '');
  if (!args[i].startsWith('--') || !(name in options) || args[i + 1] === undefined) {
    console.error(`unknown or incomplete option ${args[i]}\n${USAGE}`);
    process.exit(2);
  }
  options[name] = args[i + 1];
}
try {
  const result = publishRendered({
    source: options.source,
    repo: options.repo,
    branch: options.branch,
    sourceCommit: options['source-commit'] || undefined,
  });
  const subject = result.message.split('\n')[0];
  console.log(result.commit
    ? `${result.branch}: committed ${result.commit.slice(0, 12)} (tree ${result.tree.slice(0, 12)}): ${subject}`
    : `${result.branch}: unchanged (tree ${result.tree.slice(0, 12)} is already the tip's); no commit made`);
} catch (e) {
  console.error(`publish failed, branch not moved: ${(e as Error).message}`);
  process.exitCode = 1;
}
