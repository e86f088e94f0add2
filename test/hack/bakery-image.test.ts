// hack/images/defs/bakery-web.sh builds the bakery compose fixture's image from its build context, but with
// the shop's hash-pinned wheels (examples/shop/app/requirements.txt), so that it shares the shop's base
// layers and only an app layer is built. That holds only while the shop's pins are the bakery's own
// requirements at the same versions: checked here.
import * as fs from 'fs';
import * as path from 'path';

const REPO = path.resolve(__dirname, '../..');
const read = (p: string) => fs.readFileSync(path.join(REPO, p), 'utf8');
/** The kit is installed from the repository's own wheel (hack/images/build.sh), not from the pins. */
const KIT = 'k8s-topology-django';

const normalise = (name: string) => name.toLowerCase().replace(/[_.]+/g, '-');

/** `name==version` of each requirement line (an extra `x[e]` is the package `x-e` as well, psycopg's way). */
function requirements(text: string): Map<string, string | undefined> {
  const out = new Map<string, string | undefined>();
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s*\\$/, '').trim();
    if (!line || line.startsWith('#') || line.startsWith('--')) continue;
    const m = /^([A-Za-z0-9_.-]+)(?:\[([A-Za-z0-9_,-]+)\])?\s*(?:==\s*([^\s;]+))?$/.exec(line);
    if (!m) throw new Error(`unexpected requirement line: ${line}`);
    out.set(normalise(m[1]), m[3]);
    for (const extra of m[2]?.split(',') ?? []) out.set(normalise(`${m[1]}-${extra}`), m[3]);
  }
  return out;
}

describe('GIVEN the bakery image definition', () => {
  const def = read('hack/images/defs/bakery-web.sh');
  const value = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(def)?.[1];

  test('THEN it builds the fixture\'s build context under the name its compose file gives the image', () => {
    expect(value('APP_SOURCE')).toBe('test/compose/fixtures/bakery');
    const compose = read('test/compose/fixtures/bakery/docker-compose.yml');
    expect(compose).toMatch(/^\s*build: \.$/m);
    expect(compose).toContain(`image: ${value('IMAGE_REPOSITORY')}:`);
  });

  test('THEN every requirement of the fixture is pinned in the wheels it installs, at the same version', () => {
    const pinned = requirements(read(value('APP_REQUIREMENTS')!));
    const wanted = requirements(read('test/compose/fixtures/bakery/requirements.txt'));
    expect(wanted.size).toBeGreaterThan(5);
    const mismatches = [...wanted].filter(([name]) => name !== KIT)
      .filter(([name, version]) => version === undefined || pinned.get(name) !== version)
      .map(([name, version]) => `${name}: wants ${version ?? 'any version'}, the wheels have ${pinned.get(name) ?? 'none'}`);
    expect(mismatches).toEqual([]);
    expect(wanted.has(KIT)).toBe(true);
  });
});
