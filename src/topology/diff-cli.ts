import { diffRenders, formatDiff, loadRender } from './manifest-diff';

// `npm run diff -- <old> <new>`: exit 0 safe, 1 unsafe changes, 2 usage or read errors.
const args = process.argv.slice(2);
if (args.length !== 2 || args.some((a) => a.startsWith('-'))) {
  console.error('usage: npm run diff -- <old> <new>   (each a render folder or a revision such as rendered~1, rendered)');
  process.exit(2);
}
try {
  const diff = diffRenders(loadRender(args[0]), loadRender(args[1]));
  console.log(formatDiff(diff));
  process.exitCode = diff.violations.length ? 1 : 0;
} catch (e) {
  console.error(`diff failed: ${(e as Error).message}`);
  process.exitCode = 2;
}
