import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './helpers';
import { Provenance } from '../../src/delivery/provenance';
import { renderFolder } from '../../src/delivery/render';

/** A git environment with no identity configured anywhere, as on a CI runner. */
export const BARE_GIT_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_AUTHOR_NAME: undefined,
  GIT_AUTHOR_EMAIL: undefined,
  GIT_COMMITTER_NAME: undefined,
  GIT_COMMITTER_EMAIL: undefined,
  EMAIL: undefined,
};

export function withEnv<T>(env: NodeJS.ProcessEnv, fn: () => T): T {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const apply = (values: NodeJS.ProcessEnv) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(env);
  try {
    return fn();
  } finally {
    apply(saved);
  }
}

export function git(repo: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd: repo, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'dev', GIT_AUTHOR_EMAIL: 'dev@example.com', GIT_COMMITTER_NAME: 'dev', GIT_COMMITTER_EMAIL: 'dev@example.com' } }).trim();
}

/** A source repository with one commit on main, a staged change and an untracked file. */
export function sourceRepo(): string {
  const repo = tempDir('source-repo');
  git(repo, 'init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(repo, 'app.txt'), 'v1\n');
  git(repo, 'add', 'app.txt');
  git(repo, 'commit', '-q', '-m', 'feat: first');
  fs.writeFileSync(path.join(repo, 'app.txt'), 'v2 staged\n');
  git(repo, 'add', 'app.txt');
  fs.writeFileSync(path.join(repo, 'untracked.txt'), 'mine\n');
  return repo;
}

/** A consumer's package, as every render of these tests names it. */
export const SHOP = new Provenance({ packageName: '@shop/deploy', packageVersion: '2.3.4', annotationDomain: 'shop.example.com' });

/** Writes a rendered folder (with index) per environment, from plain objects. */
export function writeRender(dir: string, folders: Record<string, { file: string; objects: any[] }[]>): string {
  fs.rmSync(dir, { recursive: true, force: true });
  for (const [folder, files] of Object.entries(folders)) {
    const fileOf = new Map<any, string>();
    for (const f of files) for (const o of f.objects) fileOf.set(o, f.file);
    const rendered = renderFolder({ name: folder, objects: files.flatMap((f) => f.objects), fileFor: (o) => fileOf.get(o)! }, SHOP);
    fs.mkdirSync(path.join(dir, folder), { recursive: true });
    for (const file of rendered.files) fs.writeFileSync(path.join(dir, folder, file.name), file.content);
  }
  return dir;
}
