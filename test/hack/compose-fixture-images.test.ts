// hack/images/defs/bakery-web.sh and recipes-django.sh build two compose fixtures' images from their build
// contexts, but with the shop's hash-pinned wheels (examples/shop/app/requirements.txt), so that they share
// the shop's base layers and only an app layer is built; devstack-django.sh, newsroom-site.sh and
// mediahub-backend.sh with wheels of their own (PyMySQL and gevent; daphne; django-celery-beat), at the
// shop's versions otherwise. That holds only while those pins are each fixture's own requirements at the
// same versions: checked here.
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';

const REPO = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(REPO, p), 'utf8');
/** The kit is installed from the repository's own wheel (hack/images/build.sh), not from the pins. */
const KIT = 'k8s-topology-django';

const normalise = (name: string) => name.toLowerCase().replace(/[_.]+/g, '-');

/**
 * `name==version` of each requirement of a file and of the files it includes (`-r base.txt`); an extra
 * `x[e]` is the package `x-e` as well, psycopg's way. Comments after a requirement are ignored.
 */
function requirements(file: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const raw of read(file).split('\n')) {
    const line = raw.replace(/\s*\\$/, '').replace(/\s+#.*$/, '').trim();
    if (!line || line.startsWith('#')) continue;
    const include = /^-r\s+(\S+)$/.exec(line);
    if (include) {
      for (const [name, version] of requirements(path.join(path.dirname(file), include[1]))) out.set(name, version);
      continue;
    }
    if (line.startsWith('--')) continue;
    const m = /^([A-Za-z0-9_.-]+)(?:\[([A-Za-z0-9_,-]+)\])?\s*(?:==\s*([^\s;]+))?$/.exec(line);
    if (!m) throw new Error(`${file}: unexpected requirement line: ${line}`);
    out.set(normalise(m[1]), m[3]);
    for (const extra of m[2]?.split(',') ?? []) out.set(normalise(`${m[1]}-${extra}`), m[3]);
  }
  return out;
}

describe.each([
  // [image definition, fixture, the compose service whose build the image is, its requirements file in
  // that build context]
  ['bakery-web', 'bakery', 'web', 'requirements.txt'],
  ['recipes-django', 'recipes', 'django', 'requirements/production.txt'],
  ['devstack-django', 'devstack', 'django', 'requirements.txt'],
  ['newsroom-site', 'newsroom', 'api', 'requirements.txt'],
  ['mediahub-backend', 'mediahub', 'backend', 'requirements.txt'],
])('GIVEN the %s image definition', (def, fixture, service, requirementsFile) => {
  const text = read(`hack/images/defs/${def}.sh`);
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
  const fixtureDir = `test/compose/fixtures/${fixture}`;

  test(`THEN it builds the build context of the fixture's ${service} service`, () => {
    const build = parse(read(`${fixtureDir}/docker-compose.yml`), { merge: true }).services[service].build;
    const context = typeof build === 'string' ? build : build?.context;
    expect(value('APP_SOURCE')).toBe(path.posix.normalize(`${fixtureDir}/${context}`).replace(/\/$/, ''));
  });

  test('THEN every requirement of the fixture is pinned in the wheels it installs, at the same version', () => {
    const pinned = requirements(value('APP_REQUIREMENTS')!);
    const wanted = requirements(`${value('APP_SOURCE')}/${requirementsFile}`);
    expect(wanted.size).toBeGreaterThan(5);
    const mismatches = [...wanted].filter(([name]) => name !== KIT)
      .filter(([name, version]) => version === undefined || pinned.get(name) !== version)
      .map(([name, version]) => `${name}: wants ${version ?? 'any version'}, the wheels have ${pinned.get(name) ?? 'none'}`);
    expect(mismatches).toEqual([]);
    expect(wanted.has(KIT)).toBe(true);
  });
});

test('GIVEN the bakery, whose compose file names its image THEN the definition builds it under that name', () => {
  expect(read('test/compose/fixtures/bakery/docker-compose.yml')).toContain('image: registry.example.com/bakery/web:');
  expect(read('hack/images/defs/bakery-web.sh')).toMatch(/^IMAGE_REPOSITORY=registry\.example\.com\/bakery\/web$/m);
});

describe.each([
  // [image definition, fixture, compose service]: the images named in compose, built under that name.
  ['newsroom-site', 'newsroom', 'api'],
  ['newsroom-web', 'newsroom', 'web'],
  ['mediahub-backend', 'mediahub', 'backend'],
  ['mediahub-frontend', 'mediahub', 'frontend'],
])('GIVEN the %s image definition of a compose file that names its image', (def, fixture, service) => {
  test(`THEN it builds the build context of ${service} under the name compose gives it`, () => {
    const text = read(`hack/images/defs/${def}.sh`);
    const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(text)?.[1];
    const spec = parse(read(`test/compose/fixtures/${fixture}/docker-compose.yml`), { merge: true }).services[service];
    const context = typeof spec.build === 'string' ? spec.build : spec.build.context;
    expect(value('APP_SOURCE')).toBe(path.posix.normalize(`test/compose/fixtures/${fixture}/${context}`).replace(/\/$/, ''));
    expect(value('IMAGE_REPOSITORY')).toBe(spec.image.replace(/:[^/]*$/, ''));
  });
});
