import * as fs from 'fs';
import * as path from 'path';
import { consumer, PLAIN_APP } from '../delivery/consumer';
import { cli, tempDir } from '../delivery/helpers';

// The CLI in process, where it starts nothing. Whatever runs an app, ts-node or git is in cli.integration.ts.
const REPO = path.resolve(__dirname, '../..');

describe('k8s-topology render', () => {
  test('GIVEN a folder with no cdk8s app THEN it exits 2 and says what is missing', () => {
    const run = cli(tempDir('empty'), 'render');
    expect(run.code).toBe(2);
    expect(run.err).toMatch(/no cdk8s app here: no cdk8s.yaml in .*; give a module or --app/);
  });

  test('GIVEN bad arguments THEN it exits 2 with the usage', () => {
    const dir = consumer(PLAIN_APP);
    const unknown = cli(dir, 'render', '--outdir', 'x');
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringMatching(/unknown option --outdir\n\nusage: k8s-topology render/)]);
    expect(cli(dir, 'render', 'missing.js').err).toMatch(/missing.js does not exist/);
    expect(cli(dir, 'render', 'app.ts', '--app', 'node x.js').err).toMatch(/either a module or --app, not both/);
  });
});

describe('k8s-topology diff and publish', () => {
  test('GIVEN bad arguments THEN diff and publish exit 2, naming the problem', () => {
    const dir = tempDir('nothing');
    expect(cli(dir, 'diff', 'only-one')).toMatchObject({ code: 2, err: expect.stringMatching(/diff takes two renders/) });
    expect(cli(dir, 'publish', '--author', 'nobody')).toMatchObject({ code: 2, err: expect.stringMatching(/--author must be "Name <email>"/) });
  });
});

describe('k8s-topology itself', () => {
  test('GIVEN --help or a command --help THEN it prints the usage and exits 0', () => {
    const dir = tempDir('help');
    expect(cli(dir, '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: k8s-topology <command>/) });
    for (const command of ['render', 'diff', 'publish']) {
      expect(cli(dir, command, '--help')).toMatchObject({ code: 0, out: expect.stringMatching(new RegExp(`^usage: k8s-topology ${command}`)) });
      expect(cli(dir, 'help', command).out).toMatch(new RegExp(`^usage: k8s-topology ${command}`));
    }
  });

  test('GIVEN no command or an unknown one THEN it exits 2', () => {
    const dir = tempDir('help');
    expect(cli(dir).code).toBe(2);
    expect(cli(dir, 'deploy')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown command "deploy"/) });
  });

  test('GIVEN --version THEN it prints the package version', () => {
    expect(cli(tempDir('v'), '--version').out).toBe(JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')).version);
  });
});
