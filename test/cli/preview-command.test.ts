import { cli, tempDir } from '../delivery/helpers';

// The preview command's argument checks, in process; it starts nothing (no app, no git) when they fail.
describe('GIVEN k8s-topology preview with bad arguments', () => {
  const dir = tempDir('preview-args');

  test.each([
    [['preview'], /preview needs an action: render, publish or remove/],
    [['preview', 'open', '--pr', '1'], /unknown preview action "open"/],
    [['preview', 'publish'], /--pr is required: the pull request number/],
    [['preview', 'remove', '--pr', '0'], /--pr: value must be a pull request number, an integer from 1 to 999999999; got "0"/],
    [['preview', 'render', '--pr', '12abc'], /--pr: value must be a pull request number/],
    [['preview', 'remove', '--pr', '-3'], /--pr: value must be a pull request number/],
    [['preview', 'publish', '--pr', '1', '--pr', '2'], /--pr is given twice/],
    [['preview', 'publish', '--pr', '1', '--author', 'nobody'], /--author must be "Name <email>"/],
    [['preview', 'remove', '--pr', '1', '--source', 'x'], /unknown option --source/],
  ])('WHEN %j THEN it exits 2 naming the problem, with the usage', (argv, message) => {
    const run = cli(dir, ...argv);
    expect(run.code).toBe(2);
    expect(run.err).toMatch(message);
    expect(run.err).toContain('usage: k8s-topology preview render');
  });

  test('WHEN asked for help THEN it prints the usage and exits 0', () => {
    const run = cli(dir, 'preview', '--help');
    expect(run.code).toBe(0);
    expect(run.out).toContain('k8s-topology preview remove  --pr N');
  });
});
