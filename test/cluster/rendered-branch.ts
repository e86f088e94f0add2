// An app's delivery as a team's pipeline and Argo CD do it: an environment rendered by the app's own
// code with the Argo CD folder that code makes, published to branch "rendered" of a bare repository
// under CP_ARGOCD_GIT_ROOT with `k8s-topology publish` (as the gitops suite publishes Picvario's), and
// synced by the real Argo CD that start.sh runs (CP_WITH_ARGOCD=1). The only objects applied by hand
// are the bootstrap, argocd/00-projects.yaml and argocd/00-root.yaml of the branch.
import { execFileSync } from 'child_process';
import { writeFileSync } from 'fs';
import * as path from 'path';
import { ArgoCd, need, syncedHealthy, Timeline } from './argocd';
import { Api, kubectlOk, KubeObject, run } from './kube';
import { publish } from './picvario-render';
import { isEnvironment, loadEnvironments } from './render';

export const ARGOCD_FOLDER = 'argocd';
export const BRANCH = 'rendered';

/** One render of one environment, with its Argo CD folder. */
export interface EnvironmentRender {
  readonly dir: string;
  /** The environment's objects. */
  readonly objects: KubeObject[];
  /** The environment's folder (its index.json holds the traffic model). */
  readonly envDir: string;
  /** The Argo CD folder's objects: the projects and the Applications. */
  readonly argoCdObjects: KubeObject[];
}

/**
 * One app's delivery through a rendered branch: a bare repository `<repoName>.git` under
 * CP_ARGOCD_GIT_ROOT, the render of one environment and its Argo CD folder, and the two Applications.
 */
export class RenderedBranchDelivery {
  readonly repo: string;
  readonly repoUrl: string;
  readonly argo: ArgoCd;
  /** The root Application (00-root.yaml) and the environment's, named as the render names them. */
  rootApp = '';
  envApp = '';

  constructor(protected readonly api: Api, protected readonly tmp: string, repoName: string) {
    this.repo = path.join(need('CP_ARGOCD_GIT_ROOT', 'Argo CD'), `${repoName}.git`);
    this.repoUrl = `file://${this.repo}`;
    this.argo = new ArgoCd(api, need('CP_ARGOCD_NAMESPACE', 'Argo CD'));
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', this.repo]);
  }

  /** Runs `synth` (which renders into the folder it is given, with this repository's URL) into <tmp>/<name>, and reads it. */
  protected renderWith(name: string, synth: (dir: string) => void): EnvironmentRender {
    const dir = path.join(this.tmp, name);
    const log = console.log;
    console.log = () => undefined; // the render's progress lines
    try {
      synth(dir);
    } finally {
      console.log = log;
    }
    const folders = loadEnvironments(dir);
    const envs = folders.filter(isEnvironment);
    const argoCd = folders.find((f) => f.name === ARGOCD_FOLDER);
    if (envs.length !== 1 || !argoCd) {
      throw new Error(`the suite render should hold one environment folder and ${ARGOCD_FOLDER}/; it holds ${folders.map((f) => f.name).join(', ')}`);
    }
    const apps = argoCd.objects.filter((o) => o.kind === 'Application');
    this.rootApp = apps.find((a) => a.spec.source.path === ARGOCD_FOLDER)?.metadata.name ?? '';
    this.envApp = apps.find((a) => a.spec.source.path === envs[0].name)?.metadata.name ?? '';
    if (!this.rootApp || !this.envApp) throw new Error(`${ARGOCD_FOLDER}/ has no root Application or none for ${envs[0].name}: ${apps.map((a) => a.metadata.name).join(', ')}`);
    return { dir, objects: envs[0].objects, envDir: envs[0].dir, argoCdObjects: argoCd.objects };
  }

  /** `k8s-topology publish` to the rendered branch; returns the branch's new tip. */
  async publish(render: EnvironmentRender): Promise<string> {
    return (await publish(render, this.repo, BRANCH)).commit;
  }

  /** What an admin applies once: the projects and the root Application, from the branch. */
  async bootstrap(): Promise<string> {
    const files: string[] = [];
    for (const f of ['00-projects.yaml', '00-root.yaml']) {
      const file = path.join(this.tmp, `bootstrap-${f}`);
      writeFileSync(file, (await run('git', ['-C', this.repo, 'show', `${BRANCH}:${ARGOCD_FOLDER}/${f}`])).stdout);
      files.push('-f', file);
    }
    return kubectlOk(['apply', ...files]);
  }

  /** What a push webhook does after a publish: both Applications compare with git now. */
  async refresh(): Promise<void> {
    for (const app of [this.rootApp, this.envApp]) await this.argo.refresh(app);
  }

  /** Waits until both Applications are Synced and Healthy at the commit; returns the environment's states seen. */
  async waitSyncedHealthy(commit: string, timeoutMs: number): Promise<Timeline> {
    const timeline = new Timeline();
    await this.argo.wait(this.envApp, `Synced and Healthy at ${commit.slice(0, 7)}`, syncedHealthy(commit), timeline, timeoutMs);
    await this.argo.wait(this.rootApp, `Synced and Healthy at ${commit.slice(0, 7)}`, syncedHealthy(commit), new Timeline(), timeoutMs);
    return timeline;
  }

  /**
   * Runs `f` with automated sync off in both Applications (the root first: it would restore the
   * environment's), so that a change made by hand stays while `f` looks at it; then restores the
   * root Application from the branch, whose sync restores the environment's, which then reverts
   * what `f` changed.
   */
  async withoutSelfHeal<T>(f: () => Promise<T>): Promise<T> {
    for (const app of [this.rootApp, this.envApp]) await this.api.mergePatch(this.argo.appPath(app), { spec: { syncPolicy: { automated: null } } });
    try {
      return await f();
    } finally {
      const root = path.join(this.tmp, 'restore-00-root.yaml');
      writeFileSync(root, (await run('git', ['-C', this.repo, 'show', `${BRANCH}:${ARGOCD_FOLDER}/00-root.yaml`])).stdout);
      await kubectlOk(['apply', '-f', root]);
    }
  }
}
