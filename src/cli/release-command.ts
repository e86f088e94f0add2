import * as fs from 'fs';
import * as path from 'path';
import { parseArgs, UsageError } from './args';
import { DEFAULT_RELEASE_PINS_FILE, ReleasePin, ReleasePins } from '../delivery/release-pins';
import { FOLDER_NAME } from '../delivery/render';
import { isReleaseVersion, RELEASE_VERSION } from '../platform/labels';
import { IMAGE_TAG, isImmutableTag } from '../platform/pod';

export const RELEASE_USAGE = `usage: k8s-topology release <environment> <version> [--tag TAG] [--file FILE] [--create]

Moves an environment's release pin in the release-pins file that the app reads
(ReleasePins.fromFile), as CI does after building an image: sets "version" and "tag" of
<environment>, adding the environment if it has no pin yet, and rewrites the file in one
order (environments sorted, "version" before "tag", a trailing newline), so the same pins are
always the same bytes. Prints what changed (old -> new); an unchanged pin leaves the file as it is.

  <environment>  the environment: the id of its chart, which is also its render folder
  <version>      the release, app.kubernetes.io/version (a label value)
  --tag TAG      the image tag, "tag@sha256:<digest>" or "sha256:<digest>" (default: none, the
                 chart then runs the version as its tag; a tag the pin had is removed)
  --file FILE    the release-pins file (default: ${DEFAULT_RELEASE_PINS_FILE})
  --create       create the file when it does not exist (without it a missing file is an error)

Exit status: 0 moved or unchanged, 1 bad environment, version, tag or file (nothing written),
2 usage error.`;

function describePin(pin: ReleasePin | undefined): string {
  if (!pin) return '(none)';
  return pin.tag === undefined ? pin.version : `${pin.version} (tag ${pin.tag})`;
}

/** `k8s-topology release`: returns the exit status. */
export function releaseCommand(argv: string[]): number {
  const args = parseArgs(argv, ['tag', 'file'], ['create']);
  if (args.positionals.length !== 2) {
    throw new UsageError(`release takes an environment and a version; got ${args.positionals.length ? args.positionals.join(' ') : 'none'}`);
  }
  const [environment, version] = args.positionals;
  const tag = args.options.tag;
  const file = args.options.file ?? DEFAULT_RELEASE_PINS_FILE;
  const fail = (message: string): number => {
    console.error(`k8s-topology release: ${message}; ${file} is left as it was`);
    return 1;
  };
  if (!FOLDER_NAME.test(environment)) {
    return fail(`<environment> must be a folder name (lowercase letters, digits, "-" and ".": the id of the environment's chart); got ${JSON.stringify(environment)}`);
  }
  if (!isReleaseVersion(version)) return fail(`<version> must be ${RELEASE_VERSION}; got ${JSON.stringify(version)}`);
  if (tag !== undefined && !isImmutableTag(tag)) return fail(`--tag must be ${IMAGE_TAG}; got ${JSON.stringify(tag)}`);

  const exists = fs.existsSync(file);
  let before: ReleasePins;
  let text: string;
  try {
    if (!exists && !args.flags.has('create')) {
      return fail(`${file} does not exist (in ${process.cwd()}); give --create to start one, or --file to name the existing one`);
    }
    text = exists ? fs.readFileSync(file, 'utf8') : '';
    before = ReleasePins._parse(file, exists ? text : '{}');
  } catch (e) {
    return fail((e as Error).message);
  }
  const old = before._has(environment) ? before.of(environment) : undefined;
  const pin: ReleasePin = tag === undefined ? { version } : { version, tag };
  const after = before._with(environment, pin);
  const written = after._text();
  const same = old !== undefined && old.version === pin.version && old.tag === pin.tag;
  if (exists && written === text) {
    console.log(`${file}: ${environment} unchanged at ${describePin(pin)}`);
    return 0;
  }
  const temp = path.join(path.dirname(path.resolve(file)), `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    fs.writeFileSync(temp, written);
    fs.renameSync(temp, file);
  } catch (e) {
    fs.rmSync(temp, { force: true });
    return fail(`could not write ${file}: ${(e as Error).message}`);
  }
  if (same) console.log(`${file}: ${environment} unchanged at ${describePin(pin)}; the file rewritten in its canonical order`);
  else console.log(`${file}: ${environment} ${describePin(old)} -> ${describePin(pin)}${exists ? '' : ' (file created)'}`);
  return 0;
}
