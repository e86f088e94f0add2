import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './helpers';
import { DeliveryApp, DjangoAppChart, DjangoAppChartProps, ReleasePins } from '../../src';
import { ValidationError } from '../../src/platform/errors';
import { synthAndRead, tempOutdir } from '../support/render';

const DIGEST = `sha256:${'a'.repeat(64)}`;

/** A release-pins file with `text` in a fresh folder; returns its path. */
function pinsFile(text: string): string {
  const file = path.join(tempDir('pins'), 'releases.json');
  fs.writeFileSync(file, text);
  return file;
}

const size = { cpuRequest: '100m', cpuLimit: '500m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

/** The smallest Django app: a backend and the version and tag given. */
function shop(environment: string, release: { version: string; tag?: string }): DjangoAppChartProps {
  return {
    ...release,
    appName: 'shop',
    namespace: `shop-${environment}`,
    image: 'registry.example.com/shop/api',
    settings: { settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-west-1' },
    backend: { resources: size },
    externalServices: [],
  };
}

/** Renders in memory an app with one chart per environment, each given `versionOf(environment)`. */
function render(pins: ReleasePins, environments: string[], versionOf = (e: string) => pins.of(e)) {
  const app = new DeliveryApp({ packageName: 'shop-deploy', packageVersion: '1.0.0', releasePins: pins, outdir: tempOutdir('pins') });
  for (const environment of environments) new DjangoAppChart(app, environment, shop(environment, versionOf(environment)));
  return synthAndRead(app);
}

describe('ReleasePins.fromFile', () => {
  test('GIVEN a file with a version per environment and a tag for one THEN of() returns each pin as written', () => {
    const file = pinsFile(JSON.stringify({ production: { version: '1.4.0' }, staging: { version: '1.5.0-rc.1', tag: `1.5.0-rc.1@${DIGEST}` } }));
    const pins = ReleasePins.fromFile(file);
    expect(pins.of('production')).toEqual({ version: '1.4.0' });
    expect(pins.of('staging')).toEqual({ version: '1.5.0-rc.1', tag: `1.5.0-rc.1@${DIGEST}` });
    expect(pins.environments).toEqual(['production', 'staging']);
    expect(pins.file).toBe(file);
  });

  test('GIVEN an environment the file does not pin THEN of() fails naming the file, the environment, the pinned ones and the fix', () => {
    const file = pinsFile('{"production": {"version": "1.4.0"}}');
    expect(() => ReleasePins.fromFile(file).of('staging')).toThrow(ValidationError);
    expect(() => ReleasePins.fromFile(file).of('staging')).toThrow(
      `${file}: no pin for environment "staging" (pinned: production); expected an entry "staging": {"version": "<release>"}, which "k8s-topology release staging <version>" writes`,
    );
  });

  test('GIVEN no file THEN it fails naming the file and how to create it', () => {
    const file = path.join(tempDir('pins'), 'releases.json');
    expect(() => ReleasePins.fromFile(file)).toThrow(`${file}: no such release-pins file`);
    expect(() => ReleasePins.fromFile(file)).toThrow(`"k8s-topology release <environment> <version> --file ${file} --create"`);
  });

  test.each([
    ['not JSON', '{"staging": {"version": "1.5.0"', /: not valid JSON \(.*\); expected \{"<environment>": \{"version"/],
    ['a list', '[{"version": "1.5.0"}]', /: must be a JSON object with one entry per environment, .*; got \[\{"version":"1.5.0"\}\]/],
    ['a pin that is a string', '{"staging": "1.5.0"}', /: "staging" must be an object \{"version": "<release>", "tag": "<image tag>"\} \(tag optional\); got "1.5.0"/],
    ['an unknown key', '{"staging": {"version": "1.5.0", "image": "x"}}', /: "staging" must be an object with the keys "version" and optionally "tag", no others; got "image"/],
    ['a misspelt version', '{"staging": {"versoin": "1.5.0"}}', /: "staging" must be an object with the keys .*; got "versoin"/],
    ['no version', '{"staging": {}}', /: "staging".version must be a label value .*; got undefined/],
    ['a version that is no label value', '{"staging": {"version": "1.5.0 rc1"}}', /: "staging".version must be a label value \(letters, digits, "-", "_", "."/],
    ['a version that is a number', '{"staging": {"version": 15}}', /: "staging".version must be a label value .*; got 15/],
    ['a mutable tag', '{"staging": {"version": "1.5.0", "tag": "latest"}}', /: "staging".tag must be an immutable image tag \(not "latest"/],
    ['an environment that is no folder name', '{"Staging": {"version": "1.5.0"}}', /: every environment must be a folder name .*; got "Staging"/],
  ])('GIVEN %s THEN it fails naming the file, the field as written and what is accepted', (_what, text, message) => {
    const file = pinsFile(text);
    expect(() => ReleasePins.fromFile(file)).toThrow(message);
    expect(() => ReleasePins.fromFile(file)).toThrow(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: `));
  });

  test('GIVEN a pin returned by of() WHEN the caller changes it THEN the pins are unchanged', () => {
    const pins = ReleasePins.fromFile(pinsFile('{"staging": {"version": "1.5.0"}}'));
    (pins.of('staging') as any).version = '9.9.9';
    expect(pins.of('staging').version).toBe('1.5.0');
  });
});

describe('GIVEN a DeliveryApp with releasePins', () => {
  const file = pinsFile(JSON.stringify({ production: { version: '1.4.0' }, staging: { version: '1.5.0-rc.1', tag: `1.5.0-rc.1@${DIGEST}` } }));
  const pins = ReleasePins.fromFile(file);

  test('WHEN every chart takes its pin THEN each folder renders its pinned release and tag', () => {
    const folders = render(pins, ['staging', 'production']);
    expect(folders.map((f) => [f.name, f.index.appVersions])).toEqual([['production', ['1.4.0']], ['staging', ['1.5.0-rc.1']]]);
    const backend = folders.find((f) => f.name === 'staging')!.objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'backend');
    expect(backend.spec.template.spec.containers[0].image).toBe(`registry.example.com/shop/api:1.5.0-rc.1@${DIGEST}`);
  });

  test('WHEN a chart has no pin THEN the render fails naming the pins file and the chart folder', () => {
    const onlyProduction = ReleasePins.fromFile(pinsFile('{"production": {"version": "1.4.0"}}'));
    expect(() => render(onlyProduction, ['production', 'qa'], () => ({ version: '1.4.0' }))).toThrow(
      /DeliveryApp: releasePins \(.*releases.json\):\n {2}chart folder "qa" has no pin; add one with "k8s-topology release qa <version> --file .*releases.json"/,
    );
  });

  test('WHEN a chart renders another release or image tag than its pin THEN the render fails saying what to give it', () => {
    const hardCoded = () => render(pins, ['staging', 'production'], (e) => (e === 'staging' ? { version: '1.3.0' } : pins.of(e)));
    expect(hardCoded).toThrow('chart folder "staging" renders release "1.3.0", but its pin is "1.5.0-rc.1"; give the chart its pin (version: pins.of(\'staging\').version)');
    expect(hardCoded).toThrow(`chart folder "staging" runs no image with the pinned tag "1.5.0-rc.1@${DIGEST}"`);
  });

  test('WHEN a pin names no chart (a misspelt environment) THEN the render fails instead of ignoring it', () => {
    expect(() => render(pins, ['production'])).toThrow('"staging" is pinned but no chart renders it (charts: production); remove the pin or fix its name');
  });
});
