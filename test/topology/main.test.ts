import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { TEST } from '../../src/topology/environments';

describe('the render command (main.ts)', () => {
  const argv = process.argv;
  afterEach(() => {
    process.argv = argv;
    process.exitCode = undefined;
    jest.restoreAllMocks();
  });

  test('GIVEN an environment with bad props WHEN the command runs THEN it exits non-zero, names the field and writes nothing', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'main-'));
    const broken = { ...TEST, queues: [{ ...TEST.queues[0], name: 'media_import' }] };
    const errors: string[] = [];
    jest.spyOn(console, 'error').mockImplementation((line: string) => { errors.push(line); });
    jest.spyOn(console, 'log').mockImplementation(() => {});
    process.argv = ['node', 'main.js', path.join(dir, 'manifests')];
    jest.isolateModules(() => {
      jest.doMock('../../src/topology/environments', () => ({ ...jest.requireActual('../../src/topology/environments'), ENVIRONMENTS: [broken] }));
      // main.ts renders when it is loaded, so loading it under the mock is running the command.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      require('../../src/topology/main');
    });
    expect(process.exitCode).toBe(1);
    expect(errors.join('\n')).toMatch(/CeleryWorkerPool 'test\/workers': queues\[0\]\.name must be a DNS-1035 label .*; got "media_import"/);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.rmSync(dir, { recursive: true });
  });
});
