import * as fs from 'fs';
import * as path from 'path';
import { ReleasePins } from '../../src';
import { cli, tempDir } from '../delivery/helpers';

// `k8s-topology release` in process: it only reads and writes the release-pins file.
const DIGEST = `sha256:${'b'.repeat(64)}`;

/** A team's repository with `releases.json` holding `pins` as written (any order, any spacing). */
function repo(pins?: string): string {
  const dir = tempDir('release');
  if (pins !== undefined) fs.writeFileSync(path.join(dir, 'releases.json'), pins);
  return dir;
}

const read = (dir: string, file = 'releases.json') => fs.readFileSync(path.join(dir, file), 'utf8');

describe('k8s-topology release', () => {
  test('GIVEN pinned environments WHEN CI moves staging THEN only its pin changes, the file is canonical and the change is printed', () => {
    const dir = repo('{"staging":{"version":"1.4.0"},"production":{"version":"1.4.0"}}');
    const run = cli(dir, 'release', 'staging', '1.5.0');
    expect(run).toEqual({ code: 0, out: 'releases.json: staging 1.4.0 -> 1.5.0', err: '' });
    expect(read(dir)).toBe('{\n  "production": {\n    "version": "1.4.0"\n  },\n  "staging": {\n    "version": "1.5.0"\n  }\n}\n');
    expect(ReleasePins.fromFile(path.join(dir, 'releases.json')).of('staging')).toEqual({ version: '1.5.0' });
  });

  test('GIVEN --tag WHEN the pin is moved THEN the tag is written after the version, and a later move without --tag removes it', () => {
    const dir = repo('{"staging":{"version":"1.4.0"}}');
    expect(cli(dir, 'release', 'staging', '1.5.0', '--tag', `1.5.0@${DIGEST}`).out).toBe(`releases.json: staging 1.4.0 -> 1.5.0 (tag 1.5.0@${DIGEST})`);
    expect(JSON.parse(read(dir))).toEqual({ staging: { version: '1.5.0', tag: `1.5.0@${DIGEST}` } });
    expect(Object.keys(JSON.parse(read(dir)).staging)).toEqual(['version', 'tag']);
    expect(cli(dir, 'release', 'staging', '1.5.1').out).toBe(`releases.json: staging 1.5.0 (tag 1.5.0@${DIGEST}) -> 1.5.1`);
    expect(JSON.parse(read(dir))).toEqual({ staging: { version: '1.5.1' } });
  });

  test('GIVEN the same pins in any order and spacing THEN every move writes the same bytes (deterministic)', () => {
    const a = repo('{"staging":{"version":"1.4.0"},"production":{"tag":"1.3.9","version":"1.3.9"}}');
    const b = repo('{\n    "production": { "version": "1.3.9", "tag": "1.3.9" },\n    "staging": { "version": "1.0.0" }\n}');
    cli(a, 'release', 'staging', '2.0.0');
    cli(b, 'release', 'staging', '2.0.0');
    expect(read(a)).toBe(read(b));
    expect(read(a).endsWith('}\n')).toBe(true);
    // A second move to the same pin leaves the file, byte for byte and untouched.
    const mtime = fs.statSync(path.join(a, 'releases.json')).mtimeMs;
    expect(cli(a, 'release', 'staging', '2.0.0')).toEqual({ code: 0, out: 'releases.json: staging unchanged at 2.0.0', err: '' });
    expect(fs.statSync(path.join(a, 'releases.json')).mtimeMs).toBe(mtime);
  });

  test('GIVEN an unchanged pin in a file out of canonical order THEN the file is rewritten and the output says so', () => {
    const dir = repo('{"staging":{"version":"1.4.0"},"production":{"version":"1.4.0"}}');
    expect(cli(dir, 'release', 'staging', '1.4.0').out).toBe('releases.json: staging unchanged at 1.4.0; the file rewritten in its canonical order');
    expect(Object.keys(JSON.parse(read(dir)))).toEqual(['production', 'staging']);
  });

  test('GIVEN a new environment THEN it is added; GIVEN no file THEN --create starts one, and without it nothing is written', () => {
    const dir = repo('{"production":{"version":"1.4.0"}}');
    expect(cli(dir, 'release', 'qa', '1.6.0').out).toBe('releases.json: qa (none) -> 1.6.0');
    const empty = repo();
    const missing = cli(empty, 'release', 'staging', '1.5.0');
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/^k8s-topology release: releases.json does not exist \(in .*\); give --create to start one, or --file to name the existing one; releases.json is left as it was$/);
    expect(fs.existsSync(path.join(empty, 'releases.json'))).toBe(false);
    expect(cli(empty, 'release', 'staging', '1.5.0', '--create', '--file', 'deploy-pins.json').out).toBe('deploy-pins.json: staging (none) -> 1.5.0 (file created)');
    expect(read(empty, 'deploy-pins.json')).toBe('{\n  "staging": {\n    "version": "1.5.0"\n  }\n}\n');
  });

  test.each([
    ['a version with a space', ['staging', '1.5.0 rc1'], /<version> must be a label value \(letters, digits, "-", "_", "\.".*; got "1.5.0 rc1"/],
    ['a version too long for a label', ['staging', `1.${'0'.repeat(63)}`], /<version> must be a label value .*at most 63 characters\); got "1\.0+"/],
    ['a version ending in a dot', ['staging', '1.5.'], /<version> must be a label value/],
    ['a mutable tag', ['staging', '1.5.0', '--tag', 'latest'], /--tag must be an immutable image tag \(not "latest"/],
    ['an environment that is no folder name', ['Staging', '1.5.0'], /<environment> must be a folder name .*; got "Staging"/],
  ])('GIVEN %s THEN it exits 1 naming what is accepted, and the file is left as it was', (_what, args, message) => {
    const before = '{"staging":{"version":"1.4.0"}}';
    const dir = repo(before);
    const run = cli(dir, 'release', ...args);
    expect([run.code, run.out]).toEqual([1, '']);
    expect(run.err).toMatch(message);
    expect(run.err).toMatch(/; releases.json is left as it was$/);
    expect(read(dir)).toBe(before);
  });

  test('GIVEN a malformed file THEN it exits 1 with the reader\'s message and does not rewrite it', () => {
    const before = '{"staging":{"version":"1.4.0","image":"x"}}';
    const dir = repo(before);
    const run = cli(dir, 'release', 'staging', '1.5.0');
    expect(run.code).toBe(1);
    expect(run.err).toBe('k8s-topology release: releases.json: "staging" must be an object with the keys "version" and optionally "tag", no others; got "image"; releases.json is left as it was');
    expect(read(dir)).toBe(before);
  });

  test('GIVEN bad usage THEN it exits 2 with the usage; --help prints it and the CLI help lists the command', () => {
    const dir = repo('{}');
    expect(cli(dir, 'release', 'staging')).toMatchObject({ code: 2, err: expect.stringMatching(/release takes an environment and a version; got staging\n\nusage: k8s-topology release/) });
    expect(cli(dir, 'release', 'staging', '1.5.0', '--version', '1')).toMatchObject({ code: 2, err: expect.stringMatching(/unknown option --version/) });
    expect(cli(dir, 'release', 'staging', '1.5.0', '--tag')).toMatchObject({ code: 2, err: expect.stringMatching(/--tag needs a value/) });
    expect(cli(dir, 'release', '--help')).toMatchObject({ code: 0, out: expect.stringMatching(/^usage: k8s-topology release <environment> <version> \[--tag TAG\] \[--file FILE\] \[--create\]/) });
    expect(cli(dir, '--help').out).toMatch(/\n {2}release {3}move an environment's release pin in releases.json/);
    expect(read(dir)).toBe('{}');
  });
});
