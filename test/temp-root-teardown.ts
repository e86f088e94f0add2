// Jest's globalTeardown: removes the run's temporary folder made by test/temp-root.ts.
import * as fs from 'fs';
import { TEMP_ROOT_VARIABLE } from './temp-root';

export default function removeTempRoot(): void {
  const root = process.env[TEMP_ROOT_VARIABLE];
  if (root) fs.rmSync(root, { recursive: true, force: true });
}
