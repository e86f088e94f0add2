import { renderPicvario } from './render-picvario';
import { checkYamlFiles } from '../support/yaml-files';

describe('GIVEN every folder of the Picvario render (every environment and the Argo CD folder)', () => {
  const folders = renderPicvario();

  test('THEN every environment and the Argo CD folder were written, nginx.conf as a literal block scalar', () => {
    expect(folders.map((f) => f.name)).toEqual(['argocd', 'production', 'staging', 'test']);
    const edge = folders.find((f) => f.name === 'production')!.files.find((f) => f.name === 'edge.yaml')!;
    expect(edge.content).toMatch(/\n {2}nginx\.conf: \|\n {4}# Rendered by /);
  });

  checkYamlFiles(folders);
});
