import * as fs from 'fs';
import * as path from 'path';
import { composeFile, FIXTURES } from './helpers';
import { ImportError, loadCompose } from '../../src/compose/compose';
import { parseDotenv } from '../../src/compose/dotenv';
import { hasInterpolation, Variables, VariableSource } from '../../src/compose/interpolation';
import { tempDir } from '../delivery/helpers';

function composeIn(text: string, files: Record<string, string> = {}): string {
  const dir = tempDir('compose');
  fs.writeFileSync(path.join(dir, 'docker-compose.yml'), text);
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return path.join(dir, 'docker-compose.yml');
}

describe('compose variable interpolation', () => {
  const vars = new Variables({ SET: 'shell', EMPTY: '' }, { SET: 'file', FROM_FILE: 'file-value' });

  test.each([
    ['${SET}', 'shell'],
    ['$SET/x', 'shell/x'],
    ['${FROM_FILE}', 'file-value'],
    ['${MISSING:-fallback}', 'fallback'],
    ['${EMPTY:-fallback}', 'fallback'],
    ['${EMPTY-fallback}', ''],
    ['${MISSING-fallback}', 'fallback'],
    ['${SET:+alt}', 'alt'],
    ['${MISSING:+alt}', ''],
    ['${MISSING:-${SET}}', 'shell'],
    ['$$SET costs $$5', '$SET costs $5'],
    ['${MISSING}', ''],
  ])('GIVEN %s WHEN interpolated THEN it is %j, as docker compose config writes it', (input, expected) => {
    expect(vars.interpolate(input).text).toBe(expected);
  });

  test('GIVEN the shell and the env file both set a variable THEN the shell wins and the source is recorded', () => {
    expect(vars.interpolate('${SET}').uses).toEqual([{ name: 'SET', state: 'set', source: VariableSource.ENVIRONMENT }]);
    expect(vars.interpolate('${FROM_FILE}').uses).toEqual([{ name: 'FROM_FILE', state: 'set', source: VariableSource.ENV_FILE }]);
  });

  test('GIVEN unset variables THEN each use says how it was resolved', () => {
    expect(vars.interpolate('a${MISSING}b${NEEDED:?give it}c${OPT:-x}').uses).toEqual([
      { name: 'MISSING', state: 'unset' },
      { name: 'NEEDED', state: 'error', message: 'give it' },
      { name: 'OPT', state: 'default' },
    ]);
  });

  test('GIVEN $$ THEN it is not an interpolation', () => {
    expect([hasInterpolation('$$HOME'), hasInterpolation('${HOME}'), hasInterpolation('$HOME'), hasInterpolation('5 $')]).toEqual([false, true, true, false]);
  });
});

describe('env files', () => {
  test('GIVEN export, quotes, comments and a value over two lines THEN each entry is read as compose reads it', () => {
    const entries = parseDotenv([
      '# a comment', 'export A=1', 'B="two words"', "C='lit${X}'", 'D=plain # trailing comment', 'E="first', 'second"', 'F', '  G = spaced',
    ].join('\n'), 'x.env');
    expect(entries.map((e) => [e.name, e.value, e.literal])).toEqual([
      ['A', '1', false], ['B', 'two words', false], ['C', 'lit${X}', true], ['D', 'plain', false], ['E', 'first\nsecond', false], ['F', undefined, false], ['G', 'spaced', false],
    ]);
  });

  test('GIVEN a line that is not KEY=value THEN the error names the file and the line', () => {
    expect(() => parseDotenv('A=1\nnot a line\n', 'app.env')).toThrow('app.env:2: expected KEY=value');
  });
});

describe('GIVEN the newsroom compose file (anchors, extends from another file, profiles, env_file long syntax)', () => {
  const project = loadCompose({ file: composeFile('newsroom'), environment: {} });
  const service = (name: string) => project.services.find((s) => s.name === name)!;

  test('THEN the merge key and the anchored environment list reach every service that uses them', () => {
    expect(service('api').spec.image).toBe('ghcr.io/newsroom/site:5.12.0');
    expect(service('live').spec.build).toEqual({ context: '.', dockerfile: 'docker/Dockerfile', target: 'runtime' });
    expect(service('api').environment.find((e) => e.name === 'PRICE_TEMPLATE')).toMatchObject({ value: '$PRICE EUR', origin: 'environment' });
  });

  test('THEN extends merges the base from common.yml, then the same-file chain, as compose does', () => {
    expect(service('worker').spec.stop_grace_period).toBe('90s');
    expect(service('worker').environment.find((e) => e.name === 'C_FORCE_ROOT')?.value).toBe('false');
    // transcode extends worker: the deploy mapping is merged key by key, the command is replaced.
    expect(service('transcode').spec.deploy).toMatchObject({ replicas: 1, resources: { reservations: { cpus: '0.25' }, limits: { memory: '6g' } } });
    expect(service('transcode').spec.command).toBe('celery -A newsroom worker -Q video -c 1 --time-limit=1200');
  });

  test('THEN COMPOSE_PROFILES from .env enables "reports" and leaves "debug" off', () => {
    expect(project.enabledProfiles).toEqual(['reports']);
    expect(project.services.filter((s) => !s.active).map((s) => s.name)).toEqual(['mailhog', 'adminer']);
    expect(service('reports-worker').active).toBe(true);
  });

  test('THEN env_file entries are read with compose quoting, a missing optional file is skipped, and environment wins', () => {
    const env = Object.fromEntries(service('api').environment.map((e) => [e.name, e.value]));
    expect(env).toMatchObject({ SITE_NAME: 'The Newsroom', WELCOME_NOTE: 'first line\nsecond line', TZ: 'Europe/Berlin', ALLOWED_HOSTS: 'newsroom.example.com' });
    expect(service('api').environment.find((e) => e.name === 'TZ')?.origin).toBe('env_file ./config/site.env');
  });

  test('THEN a variable interpolated into a value keeps its template, and a bare "- KEY" is taken from the shell', () => {
    const redis = service('api').environment.find((e) => e.name === 'REDIS_URL')!;
    expect(redis.template?.raw).toBe('redis://:${REDIS_PASSWORD}@cache:6379/3');
    expect(service('api').environment.find((e) => e.name === 'SEARCH_API_TOKEN')).toMatchObject({ fromShell: true, value: undefined });
  });

  test('THEN --profile enables more profiles and the environment overrides the env file', () => {
    const more = loadCompose({ file: composeFile('newsroom'), environment: { IMAGE_TAG: '6.0.0' }, profiles: ['debug'] });
    expect(more.enabledProfiles).toEqual(['debug', 'reports']);
    expect(more.services.every((s) => s.active)).toBe(true);
    expect(more.services.find((s) => s.name === 'api')!.spec.image).toBe('ghcr.io/newsroom/site:6.0.0');
  });

  test('THEN the project is named after its folder, and only the file name is kept', () => {
    expect([project.name, project.nameSource, project.file]).toEqual(['newsroom', 'folder', 'docker-compose.yml']);
  });
});

describe('GIVEN compose files the importer cannot import THEN loading fails naming the file, the service and the key', () => {
  const errors = path.join(FIXTURES, 'errors');
  test.each([
    ['not-compose.yml', 'not-compose.yml: not a Compose file (it looks like a Kubernetes manifest): no top-level "services" (keys: apiVersion, kind, metadata, spec)'],
    ['invalid-yaml.yml', 'invalid-yaml.yml: not valid YAML (line 3, column 12): Nested mappings are not allowed in compact mappings'],
    ['unknown-top-level.yml', 'unknown-top-level.yml: unknown top-level key "service_accounts"'],
    ['no-image.yml', 'no-image.yml: service "worker": has neither "image" nor "build"'],
  ])('%s', (file, message) => {
    expect(() => loadCompose({ file: path.join(errors, file), environment: {} })).toThrow(ImportError);
    expect(() => loadCompose({ file: path.join(errors, file), environment: {} })).toThrow(message);
  });

  test('GIVEN an env_file that does not exist THEN the error names the service and the file', () => {
    const file = composeIn('services:\n  web:\n    image: app:1\n    env_file: secrets.env\n');
    expect(() => loadCompose({ file, environment: {} })).toThrow('docker-compose.yml: service "web": env_file: secrets.env not found');
  });

  test('GIVEN --env-file that does not exist THEN the error names it', () => {
    const file = composeIn('services:\n  web:\n    image: app:1\n');
    expect(() => loadCompose({ file, environment: {}, envFile: path.join(path.dirname(file), 'prod.env') })).toThrow(/--env-file .*prod\.env: cannot read the file/);
  });

  test('GIVEN an extends cycle THEN it is named', () => {
    const file = composeIn('services:\n  a:\n    image: x:1\n    extends: b\n  b:\n    image: x:1\n    extends: a\n');
    expect(() => loadCompose({ file, environment: {} })).toThrow(/service "a": extends: a cycle/);
  });

  test('GIVEN include: THEN the importer asks for the merged file instead of ignoring it', () => {
    const file = composeIn('include:\n  - other.yml\nservices:\n  web:\n    image: x:1\n');
    expect(() => loadCompose({ file, environment: {} })).toThrow(/include: is not supported by the importer; merge the included files first/);
  });
});
