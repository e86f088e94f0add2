import * as fs from 'fs';
import * as path from 'path';
import { cli, FIXTURES } from './helpers';
import { tempDir } from '../delivery/helpers';

/** A copy of a fixture folder, as a team's checkout holding its compose file. */
function checkout(fixture: string): string {
  const dir = tempDir(`checkout-${fixture}`);
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  return dir;
}

describe('k8s-topology import', () => {
  test('GIVEN a compose file WHEN imported THEN the app and the report are written, and a line per service and a summary are printed', () => {
    const dir = checkout('bakery');
    const run = cli(dir, 'import', 'docker-compose.yml', '--out', 'deploy');
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'deploy')).sort()).toEqual(['.gitignore', 'MIGRATION.md', 'cdk8s.yaml', 'main.ts', 'migration.json', 'package.json', 'tsconfig.json']);
    expect(run.out).toMatch(/^ {2}web {22}approximated backend: Deployment, Service backend:8000, HPA, PodDisruptionBudget$/m);
    expect(run.out).toMatch(/^imported 6 services from docker-compose\.yml into deploy\/ \(main\.ts, .*\) in \d+ ms: services 0 converted, 6 approximated, 0 dropped; keys \d+ converted, \d+ approximated, \d+ dropped; \d+ Secret keys and \d+ things to do by hand are in deploy\/MIGRATION\.md$/m);
  });

  test('GIVEN the generated files exist WHEN imported again THEN it refuses without --force and replaces only them with it', () => {
    const dir = checkout('bakery');
    expect(cli(dir, 'import', 'docker-compose.yml').code).toBe(0);
    fs.writeFileSync(path.join(dir, 'deploy', 'main.ts'), '// edited by the team\n');
    fs.writeFileSync(path.join(dir, 'deploy', 'notes.md'), 'ours\n');
    const refused = cli(dir, 'import', 'docker-compose.yml');
    expect([refused.code, refused.err]).toEqual([1, expect.stringMatching(/deploy already has main\.ts, package\.json, .*; use --force to replace the generated files; nothing written/)]);
    expect(fs.readFileSync(path.join(dir, 'deploy', 'main.ts'), 'utf8')).toBe('// edited by the team\n');
    expect(cli(dir, 'import', 'docker-compose.yml', '--force').code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'deploy', 'main.ts'), 'utf8')).toContain('new DjangoAppChart(app, ');
    expect(fs.readFileSync(path.join(dir, 'deploy', 'notes.md'), 'utf8')).toBe('ours\n');
    expect(fs.readdirSync(path.join(dir, 'deploy')).filter((f) => f.includes('import-tmp'))).toEqual([]);
  });

  test.each([
    ['not-compose.yml', /not-compose\.yml: not a Compose file \(it looks like a Kubernetes manifest\)/],
    ['invalid-yaml.yml', /invalid-yaml\.yml: not valid YAML \(line 3, column 12\)/],
    ['unknown-top-level.yml', /unknown top-level key "service_accounts"/],
    ['no-image.yml', /service "worker": has neither "image" nor "build"/],
    ['unset-tag.yml', /service "web": image: variable TAG is not set/],
  ])('GIVEN %s THEN it exits 1 with the reason and writes nothing', (file, message) => {
    const dir = tempDir('import-error');
    fs.copyFileSync(path.join(FIXTURES, 'errors', file), path.join(dir, file));
    const run = cli(dir, 'import', file, '--out', 'deploy');
    expect(run.code).toBe(1);
    expect(run.err).toMatch(message);
    expect(run.err).toMatch(/; nothing written$/);
    expect(fs.readdirSync(dir)).toEqual([file]);
  });

  test('GIVEN --profile, --name and --env-file THEN the profiles are enabled, the app is named and the variables are read', () => {
    const dir = checkout('newsroom');
    fs.writeFileSync(path.join(dir, 'release.env'), 'IMAGE_TAG=7.1.0\nREDIS_PASSWORD=vk-Tq4Rm8Xs2Zp6\n');
    const run = cli(dir, 'import', 'docker-compose.yml', '--profile', 'debug,reports', '--name', 'news', '--env-file', 'release.env', '--out', 'k8s');
    expect(run.code).toBe(0);
    const report = JSON.parse(fs.readFileSync(path.join(dir, 'k8s', 'migration.json'), 'utf8'));
    expect([report.app, report.profiles]).toEqual(['news', ['debug', 'reports']]);
    expect(report.services.find((s: any) => s.name === 'mailhog').role).toBe('mail-catcher');
    expect(fs.readFileSync(path.join(dir, 'k8s', 'main.ts'), 'utf8')).toContain("version: '7.1.0'");
  });

  test('GIVEN bad arguments THEN it exits 2 with the usage', () => {
    const dir = tempDir('import-usage');
    expect(cli(dir, 'import')).toMatchObject({ code: 2, err: expect.stringMatching(/import takes one compose file; got none\n\nusage: k8s-topology import/) });
    expect(cli(dir, 'import', 'a.yml', 'b.yml').err).toMatch(/import takes one compose file; got a\.yml b\.yml/);
    expect(cli(dir, 'import', 'a.yml', '--output', 'x').err).toMatch(/unknown option --output/);
    expect(cli(dir, 'import', '--help')).toMatchObject({ code: 0, out: expect.stringContaining('Exit status: 0 imported, 1 the compose file cannot be imported (nothing written), 2 usage error.') });
    expect(cli(dir, '--help').out).toMatch(/ {2}import {4}turn a Docker Compose file into a cdk8s app/);
  });
});
