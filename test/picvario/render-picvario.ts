import * as path from 'path';
import { App } from 'cdk8s';
import { Provenance } from '../../src/delivery/provenance';
import { chartInputs, renderFolder, RenderedFolderOutput } from '../../src/delivery/render';
import { EnvironmentSpec } from '../../src/picvario/environment-spec';
import { ENVIRONMENTS } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';
import { PicvarioEnvironment } from '../../src/picvario/picvario-environment';
import { FolderOnDisk, synthAndRead, tempOutdir } from '../support/render';

export const REPO = path.resolve(__dirname, '../..');

/** One Picvario environment as the render writes it: stamped objects, files, index. */
export function renderEnvironment(spec: EnvironmentSpec): RenderedFolderOutput {
  const app = new App();
  new PicvarioEnvironment(app, spec.name, spec);
  return renderFolder(chartInputs(app)[0], Provenance.fromProject(REPO));
}

/** Every Picvario folder, the Argo CD folder included, as `synth()` writes them (into a temporary folder). */
export function renderPicvario(specs: EnvironmentSpec[] = ENVIRONMENTS): FolderOnDisk[] {
  return synthAndRead(picvarioApp(tempOutdir('picvario'), specs));
}
