import { App } from 'cdk8s';
import { ArgoCdFolderProps, argoCdFileFor, argoCdObjects, DEFAULT_ARGOCD_FOLDER } from './argocd-folder';
import { readProjectConfig } from './project-config';
import { Provenance } from './provenance';
import { ReleasePins } from './release-pins';
import { chartInputs, progressLine, renderFolder, RenderedFolderOutput, writeFolders } from './render';
import { invalid, missing } from '../platform/errors';

/** How a {@link DeliveryApp} renders, and who it says rendered it. */
export interface DeliveryAppProps {
  /**
   * The folder that receives one folder per chart (replaced as a whole on every render).
   * @default - `CDK8S_OUTDIR` when set (by `cdk8s synth` or `k8s-topology render`), else 'dist/manifests'
   */
  readonly outdir?: string;
  /**
   * The project folder whose `package.json` (or `pyproject.toml`) names the package.
   * @default - the working directory
   */
  readonly projectDir?: string;
  /**
   * The package name written to every index and README.
   * @default - the project's package name
   */
  readonly packageName?: string;
  /**
   * The package version written to every object's annotation and every index.
   * @default - the project's package version
   */
  readonly packageVersion?: string;
  /**
   * The Git repository the Argo CD Applications read the rendered branch from (`argoCd.repoUrl`
   * overrides it for the Argo CD folder).
   * @default - the `repository` of the project's package.json
   */
  readonly repoUrl?: string;
  /**
   * The domain of the package-version annotation (`<domain>/<package>-version`).
   * @default - `k8sTopology.annotationDomain` of the project's package.json, else no domain
   */
  readonly annotationDomain?: string;
  /**
   * Also render the Argo CD objects that sync the folders from the rendered branch.
   * @default - no Argo CD folder
   */
  readonly argoCd?: ArgoCdFolderProps;
  /**
   * The release pins the charts take their `version` and `tag` from (`pins.of('<chart id>')`). The
   * render then fails, naming the pins file, when a chart folder has no pin, renders another release
   * than its pin or runs no image with its pinned tag, or when a pin names no chart folder.
   * @default - no check: each chart's version is what the code gives it
   */
  readonly releasePins?: ReleasePins;
}

/** One folder of a render, as {@link DeliveryApp.renderFolders} returns it. */
export interface RenderedFolder {
  /** The folder name (the chart id, or `argocd`). */
  readonly name: string;
  /** The files, `index.json` last. */
  readonly fileNames: string[];
  /** How many objects the folder holds. */
  readonly objectCount: number;
  /** The app versions of its objects. */
  readonly appVersions: string[];
  /** The folder digest, `sha256:...`, as in its `index.json`. */
  readonly digest: string;
  /** The progress line the render prints for it. */
  readonly summary: string;
}

/**
 * A cdk8s App whose `synth()` writes the delivery render instead of plain chart files: one folder
 * per chart with a file per component, `index.json` and `README.md`, every object stamped with the
 * package version, optionally the Argo CD folder, all written at once (a failed render leaves the
 * previous one as it was). `cdk8s synth` and `k8s-topology render` both run it.
 */
export class DeliveryApp extends App {
  private readonly props: DeliveryAppProps;

  constructor(props: DeliveryAppProps = {}) {
    super({ outdir: props.outdir ?? process.env.CDK8S_OUTDIR ?? 'dist/manifests' });
    this.props = props;
  }

  /** Renders every chart (and the Argo CD folder) in memory and returns what would be written. */
  public renderFolders(): RenderedFolder[] {
    return this._renderOutput().map((f) => ({
      name: f.name,
      fileNames: f.files.map((file) => file.name),
      objectCount: f.objects.length,
      appVersions: f.index.appVersions,
      digest: f.index.digest,
      summary: progressLine(f),
    }));
  }

  /** Validates, renders and writes every folder, then prints one line per folder. */
  public synth(): void {
    const folders = this._renderOutput();
    writeFolders(folders, this.outdir);
    for (const f of folders) console.log(progressLine(f));
  }

  /**
   * The folders with their objects and file contents, for tools built on the render.
   * @internal
   */
  public _renderOutput(): RenderedFolderOutput[] {
    const provenance = this.provenance();
    const argoFolder = this.props.argoCd ? this.props.argoCd.folder ?? DEFAULT_ARGOCD_FOLDER : undefined;
    const inputs = chartInputs(this, argoFolder ? [argoFolder] : []);
    this.props.releasePins?._checkRender(inputs);
    const folders = inputs.map((input) => renderFolder(input, provenance));
    if (!folders.some((f) => f.objects.length)) throw new Error('the app synthesizes no objects: nothing to render');
    if (this.props.argoCd && argoFolder) {
      const targets = inputs.map((input, i) => {
        if (!input.namespace) missing(`chart folder "${input.name}"`, 'namespace', 'an Argo CD Application needs the chart\'s namespace (set it on the chart)');
        return { folder: input.name, namespace: input.namespace, appVersion: input.appVersion, objects: folders[i].objects };
      });
      const objects = argoCdObjects(targets, this.props.argoCd, provenance);
      const fileFor = argoCdFileFor(argoFolder);
      folders.push(renderFolder({ name: argoFolder, objects, appVersion: provenance.packageVersion, fileFor }, provenance));
    }
    return folders;
  }

  private provenance(): Provenance {
    const p = this.props;
    const explicit = p.packageName !== undefined || p.packageVersion !== undefined;
    if (explicit && (p.packageName === undefined || p.packageVersion === undefined)) {
      invalid('DeliveryApp', 'packageName and packageVersion', 'set together', { packageName: p.packageName, packageVersion: p.packageVersion });
    }
    const project = explicit ? undefined : Provenance.fromProject(p.projectDir);
    return new Provenance({
      packageName: p.packageName ?? project!.packageName,
      packageVersion: p.packageVersion ?? project!.packageVersion,
      repoUrl: p.repoUrl ?? project?.repoUrl,
      annotationDomain: p.annotationDomain ?? project?.annotationDomain ?? readProjectConfig(p.projectDir).annotationDomain,
    }, 'DeliveryApp');
  }
}
