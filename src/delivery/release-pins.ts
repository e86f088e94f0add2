import * as fs from 'fs';
import { podSpecOf } from './diff-summary';
import { KubeObject } from './kube-object';
import { FOLDER_NAME } from './render';
import { ValidationError } from '../platform/errors';
import { isReleaseVersion, RELEASE_VERSION } from '../platform/labels';
import { IMAGE_TAG, isImmutableTag } from '../platform/pod';

/** The release pinned for one environment, as {@link ReleasePins.of} returns it. */
export interface ReleasePin {
  /** The release: `version` of the environment's `DjangoAppChart` (its `app.kubernetes.io/version`). */
  readonly version: string;
  /**
   * The image tag, a tag with its digest (`1.5.0@sha256:...`) or a digest alone: `tag` of the chart.
   * @default - the version
   */
  readonly tag?: string;
}

/** The release-pins file's name in a team's repository, which `k8s-topology release` writes. */
export const DEFAULT_RELEASE_PINS_FILE = 'releases.json';

const PIN_KEYS = ['version', 'tag'];
const ENVIRONMENT = 'a folder name (lowercase letters, digits, "-" and ".": the id of the environment\'s chart)';

/**
 * The release of each environment, kept in a file in the team's repository (`releases.json`) that
 * CI moves with `k8s-topology release <environment> <version>`.
 *
 * One entry per environment (the id of its chart), with the release and optionally the image tag:
 *
 * ```json
 * {
 *   "production": { "version": "1.4.0" },
 *   "staging": { "version": "1.5.0-rc.1", "tag": "1.5.0-rc.1@sha256:..." }
 * }
 * ```
 *
 * The app reads it with `ReleasePins.fromFile`, gives each chart its pin (`pins.of('staging')`) and
 * passes the pins to `DeliveryApp` (`releasePins`), whose render then fails when a chart has no pin,
 * renders another release than its pin, or a pin names no chart. A missing or malformed file fails
 * too: there is no fallback to a version written in the code.
 */
export class ReleasePins {
  /**
   * Reads and checks a release-pins file.
   * @param file the file, e.g. `path.join(__dirname, 'releases.json')` beside the app (a relative path is read from the working directory)
   */
  public static fromFile(file: string): ReleasePins {
    if (!fs.existsSync(file)) {
      throw new ValidationError(`${file}: no such release-pins file (in ${process.cwd()}); create it with "k8s-topology release <environment> <version> --file ${file} --create"`);
    }
    return ReleasePins._parse(file, fs.readFileSync(file, 'utf8'));
  }

  /**
   * Checks the text of a release-pins file; `file` names it in errors.
   * @internal
   */
  public static _parse(file: string, text: string): ReleasePins {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new ValidationError(`${file}: not valid JSON (${(e as Error).message}); expected {"<environment>": {"version": "<release>", "tag": "<image tag>"}, ...}`);
    }
    if (!isObject(data)) {
      throw new ValidationError(`${file}: must be a JSON object with one entry per environment, {"<environment>": {"version": "<release>"}, ...}; got ${JSON.stringify(data)}`);
    }
    const pins = new Map<string, ReleasePin>();
    for (const [environment, value] of Object.entries(data)) {
      pins.set(environment, checkPin(file, environment, value));
    }
    return new ReleasePins(file, pins);
  }

  /** The file the pins were read from, as it was given. */
  public readonly file: string;
  private readonly pins: Map<string, ReleasePin>;

  private constructor(file: string, pins: Map<string, ReleasePin>) {
    this.file = file;
    this.pins = pins;
  }

  /** The environments that have a pin, sorted. */
  public get environments(): string[] {
    return [...this.pins.keys()].sort();
  }

  /**
   * The pin of an environment. Fails, naming the file, when the environment has none.
   * @param environment the environment: the id of its chart, which is also its render folder
   */
  public of(environment: string): ReleasePin {
    const pin = this.pins.get(environment);
    if (!pin) {
      const pinned = this.environments.length ? `pinned: ${this.environments.join(', ')}` : 'the file pins no environment';
      throw new ValidationError(`${this.file}: no pin for environment "${environment}" (${pinned}); `
        + `expected an entry "${environment}": {"version": "<release>"}, which "k8s-topology release ${environment} <version>" writes`);
    }
    return { ...pin };
  }

  /**
   * The pins with `environment` set to `pin`: a new object, this one is left as it is.
   * @internal
   */
  public _with(environment: string, pin: ReleasePin): ReleasePins {
    const pins = new Map(this.pins);
    pins.set(environment, checkPin(this.file, environment, pin));
    return new ReleasePins(this.file, pins);
  }

  /**
   * Whether the environment has a pin.
   * @internal
   */
  public _has(environment: string): boolean {
    return this.pins.has(environment);
  }

  /**
   * The file's text: environments sorted, `version` before `tag`, two-space indent, a trailing newline.
   * @internal
   */
  public _text(): string {
    const out: Record<string, ReleasePin> = {};
    for (const environment of this.environments) {
      const pin = this.pins.get(environment)!;
      out[environment] = pin.tag === undefined ? { version: pin.version } : { version: pin.version, tag: pin.tag };
    }
    return `${JSON.stringify(out, undefined, 2)}\n`;
  }

  /**
   * Checks a render against the pins: every chart folder has a pin and renders its release (and runs
   * its tag, when the pin has one), and every pin names a folder.
   * @internal
   */
  public _checkRender(folders: { readonly name: string; readonly objects: KubeObject[]; readonly appVersion?: string }[]): void {
    const owner = `DeliveryApp: releasePins (${this.file})`;
    const problems: string[] = [];
    for (const folder of folders) {
      const pin = this.pins.get(folder.name);
      if (!pin) {
        problems.push(`chart folder "${folder.name}" has no pin; add one with "k8s-topology release ${folder.name} <version> --file ${this.file}"`);
        continue;
      }
      if (folder.appVersion !== pin.version) {
        problems.push(`chart folder "${folder.name}" renders release ${JSON.stringify(folder.appVersion ?? null)}, but its pin is "${pin.version}"; give the chart its pin (version: pins.of('${folder.name}').version)`);
      }
      if (pin.tag !== undefined && !runsTag(folder.objects, pin.tag)) {
        problems.push(`chart folder "${folder.name}" runs no image with the pinned tag "${pin.tag}"; give the chart its pin (tag: pins.of('${folder.name}').tag)`);
      }
    }
    const rendered = new Set(folders.map((f) => f.name));
    for (const environment of this.environments) {
      if (!rendered.has(environment)) {
        problems.push(`"${environment}" is pinned but no chart renders it (charts: ${[...rendered].join(', ')}); remove the pin or fix its name`);
      }
    }
    if (problems.length) throw new ValidationError(`${owner}:\n  ${problems.join('\n  ')}`);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkPin(file: string, environment: string, value: unknown): ReleasePin {
  const fail = (field: string, expected: string, got: unknown): never => {
    throw new ValidationError(`${file}: ${field} must be ${expected}; got ${JSON.stringify(got)}`);
  };
  if (!FOLDER_NAME.test(environment)) fail('every environment', ENVIRONMENT, environment);
  if (!isObject(value)) fail(`"${environment}"`, 'an object {"version": "<release>", "tag": "<image tag>"} (tag optional)', value);
  const pin = value as Record<string, unknown>;
  const unknown = Object.keys(pin).filter((k) => !PIN_KEYS.includes(k));
  if (unknown.length) fail(`"${environment}"`, 'an object with the keys "version" and optionally "tag", no others', unknown.join(', '));
  if (!isReleaseVersion(pin.version)) fail(`"${environment}".version`, RELEASE_VERSION, pin.version);
  if (pin.tag !== undefined && !isImmutableTag(pin.tag)) fail(`"${environment}".tag`, IMAGE_TAG, pin.tag);
  return pin.tag === undefined ? { version: pin.version as string } : { version: pin.version as string, tag: pin.tag as string };
}

/** Whether some container of the objects runs an image with `tag` (a tag, a tag with its digest, or a digest alone). */
function runsTag(objects: KubeObject[], tag: string): boolean {
  const suffix = tag.startsWith('sha256:') ? `@${tag}` : `:${tag}`;
  return objects.some((o) => {
    const pod = podSpecOf(o);
    return [...(pod?.initContainers ?? []), ...(pod?.containers ?? [])].some((c: any) => typeof c?.image === 'string' && c.image.endsWith(suffix));
  });
}

