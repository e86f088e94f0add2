import * as fs from 'fs';
import * as path from 'path';
import { projectConfigOf } from './project-config';
import { invalid } from '../platform/errors';
import { readPackageJson } from '../platform/package-json';

/** Who rendered a set of folders: the consumer's own package, never this library. */
export interface ProvenanceProps {
  /** The package (project) whose code was rendered, e.g. `@shop/deploy`. */
  readonly packageName: string;
  /** Its version. */
  readonly packageVersion: string;
  /**
   * The Git repository the Argo CD objects read the rendered branch from.
   * @default - none: an Argo CD folder then needs its repoUrl set
   */
  readonly repoUrl?: string;
  /**
   * The domain of the annotation that names the package version on every object:
   * `<annotationDomain>/<package name without scope>-version`.
   * @default - no domain: the annotation is `<package name without scope>-version`
   */
  readonly annotationDomain?: string;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** The package name and version that every rendered object and index names. */
export class Provenance {
  /**
   * Reads the project's `package.json` (name, version, repository, and `k8sTopology.annotationDomain`),
   * or, without one, the `[project]` table of its `pyproject.toml` (name, version).
   * @param dir the project folder (default: the working directory)
   */
  public static fromProject(dir?: string): Provenance {
    const root = path.resolve(dir ?? process.cwd());
    const pkg = readPackageJson(path.join(root, 'package.json'));
    if (pkg) {
      // As the file writes them: the constructor checks the name and version, ArgoCdApplication the URL.
      return new Provenance({
        packageName: pkg.name as string,
        packageVersion: pkg.version as string,
        repoUrl: pkg.repoUrl as string | undefined,
        annotationDomain: projectConfigOf(pkg).annotationDomain,
      }, pkg.file);
    }
    const pyproject = path.join(root, 'pyproject.toml');
    if (fs.existsSync(pyproject)) {
      const table = projectTable(fs.readFileSync(pyproject, 'utf8'));
      return new Provenance({ packageName: table.name as string, packageVersion: table.version as string }, `${pyproject} [project]`);
    }
    throw new Error(`${root} has neither package.json nor pyproject.toml: give the package name and version explicitly`);
  }

  /** The package's name. */
  public readonly packageName: string;
  /** The package's version. */
  public readonly packageVersion: string;
  /** The repository URL, when known. */
  public readonly repoUrl?: string;
  /** The domain of the annotation, when there is one. */
  public readonly annotationDomain?: string;
  /** The annotation key that carries the package version on every rendered object. */
  public readonly annotationKey: string;

  /**
   * @param props the package's identity
   * @param source where the identity was read from, for error messages
   */
  constructor(props: ProvenanceProps, source: string = 'Provenance') {
    if (typeof props.packageName !== 'string' || !/^(@[a-z0-9][\w.-]*\/)?[a-z0-9][\w.-]*$/i.test(props.packageName)) {
      invalid(source, 'packageName', 'a package name such as "shop-deploy" or "@shop/deploy"', props.packageName);
    }
    if (typeof props.packageVersion !== 'string' || !/^[0-9A-Za-z][0-9A-Za-z.+_-]*$/.test(props.packageVersion)) {
      invalid(source, 'packageVersion', 'a version such as "1.4.0"', props.packageVersion);
    }
    if (props.annotationDomain !== undefined && (typeof props.annotationDomain !== 'string' || !DNS_SUBDOMAIN.test(props.annotationDomain))) {
      invalid(source, 'annotationDomain', 'a DNS domain such as "shop.example.com"', props.annotationDomain);
    }
    this.packageName = props.packageName;
    this.packageVersion = props.packageVersion;
    this.repoUrl = props.repoUrl;
    this.annotationDomain = props.annotationDomain;
    const base = props.packageName.replace(/^@[^/]+\//, '').toLowerCase().replace(/[^a-z0-9.-]/g, '-');
    this.annotationKey = `${props.annotationDomain ? `${props.annotationDomain}/` : ''}${base}-version`;
  }
}

/** `name` and `version` of the `[project]` table (PEP 621), the two plain string keys a render needs. */
function projectTable(text: string): { name?: string; version?: string } {
  const out: { name?: string; version?: string } = {};
  let inProject = false;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/\s+#.*$/, '').trim();
    if (/^\[.*\]$/.test(line)) {
      inProject = line === '[project]';
      continue;
    }
    const m = inProject ? /^(name|version)\s*=\s*"([^"]*)"$/.exec(line) : null;
    if (m) out[m[1] as 'name' | 'version'] = m[2];
  }
  return out;
}
