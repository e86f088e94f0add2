// The shop suite's delivery: its suite environment rendered by the shop's own code with the Argo CD
// folder that code makes (examples/shop/app.ts, shopSuiteApp with argoCdRepoUrl), through a rendered
// branch (rendered-branch.ts).
import { Api } from './kube';
import { EnvironmentRender, RenderedBranchDelivery } from './rendered-branch';
import { shopSuiteApp, SuiteRenderOptions } from '../../examples/shop/app';

export class ShopDelivery extends RenderedBranchDelivery {
  constructor(api: Api, tmp: string, private readonly version: string) {
    super(api, tmp, 'shop');
  }

  /** Renders the suite environment (changed only by the options, props of the shop's own code) into <tmp>/<name>. */
  render(name: string, options: Omit<SuiteRenderOptions, 'argoCdRepoUrl'> = {}): EnvironmentRender {
    return this.renderWith(name, (dir) => shopSuiteApp(dir, this.version, { ...options, argoCdRepoUrl: this.repoUrl }).synth());
  }
}
