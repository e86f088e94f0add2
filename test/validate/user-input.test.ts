// The gate judges user input (its flags, the tools named, the exceptions file) with the project's one error
// type: a ValidationError that says what was wrong, the value given and what is accepted.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ValidationError } from '../../src/platform/errors';
import { parseCheckArgs } from '../../src/validate/cli';
import { loadExceptionsFile, validate } from '../../src/validate/gate';

const tmpDirs: string[] = [];
afterAll(() => {
  for (const d of tmpDirs) fs.rmSync(d, { recursive: true, force: true });
});

function exceptionsFile(text: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'validate-input-'));
  tmpDirs.push(dir);
  const file = path.join(dir, 'exceptions.yaml');
  fs.writeFileSync(file, text);
  return file;
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, none was thrown');
}

describe('flags of `check`', () => {
  test('are read into the options of the gate, repeatable ones as lists', () => {
    expect(parseCheckArgs(['--manifests', 'm', '--env', 'a', '--env', 'b', '--tool', 'trivy', '--exceptions', 'x.yaml', '--traffic-models', 't', '--json']))
      .toEqual({ options: { manifestsDir: 'm', envs: ['a', 'b'], tools: ['trivy'], exceptionsFile: 'x.yaml', trafficModels: 't' }, json: true });
    expect(parseCheckArgs([])).toEqual({ options: {}, json: false });
  });

  test('an unknown flag, or one without its value, is a ValidationError naming it', () => {
    const unknown = thrown(() => parseCheckArgs(['--manifest', 'm']));
    expect(unknown).toBeInstanceOf(ValidationError);
    expect(unknown.message).toBe('unknown argument --manifest');
    const noValue = thrown(() => parseCheckArgs(['--env']));
    expect(noValue).toBeInstanceOf(ValidationError);
    expect(noValue.message).toBe('--env needs a value');
  });

  test('an unknown tool is a ValidationError listing the tools', () => {
    const e = thrown(() => validate({ tools: ['kubeconfrom'], exceptionsFile: null }));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe('unknown tool kubeconfrom (one of kubeconform, kube-score, apiversions, trivy, cyclonus)');
  });
});

describe('the exceptions file', () => {
  test('a refused entry is a ValidationError naming the file, the entry and what is accepted', () => {
    const file = exceptionsFile('exceptions:\n  - tool: kube-lint\n    check: pod-probes\n    kind: Deployment\n    name: web\n    reason: a tool the gate does not run\n');
    const e = thrown(() => loadExceptionsFile(file));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe(`exceptions refused:\n  ${file}: exception #1: unknown tool "kube-lint" (one of kubeconform, kube-score, apiversions, trivy, cyclonus)`);
  });

  test('an unknown top-level key is a ValidationError listing the keys', () => {
    const file = exceptionsFile('exception: []\n');
    const e = thrown(() => loadExceptionsFile(file));
    expect(e).toBeInstanceOf(ValidationError);
    expect(e.message).toBe(`${file}: unknown top-level key "exception" (trustedRegistries, exceptions, checks)`);
  });

  test('a valid entry is read with its namespace defaulted and no use yet', () => {
    const file = exceptionsFile('exceptions:\n  - tool: kube-score\n    check: pod-probes\n    kind: Deployment\n    name: web\n    reason: a fixture without probes, on purpose\n');
    expect(loadExceptionsFile(file).exceptions).toEqual([{
      tool: 'kube-score', check: 'pod-probes', kind: 'Deployment', name: 'web', reason: 'a fixture without probes, on purpose', namespace: '', used: 0,
    }]);
  });
});
