import { checkDnsLabel, invalid, Owner } from './errors';

/**
 * Who a component belongs to. Every workload takes these fields (flat, in its own props)
 * and the platform turns them into names and the recommended `app.kubernetes.io/*` labels.
 */
export interface ComponentIdentityProps {
  /**
   * The application, written to `app.kubernetes.io/name` and `app.kubernetes.io/part-of`.
   */
  readonly appName: string;
  /**
   * The installation of the application, written to `app.kubernetes.io/instance`.
   * Two installations in one namespace must differ here.
   * @default - the appName
   */
  readonly instance?: string;
  /**
   * The application version (the release), written to `app.kubernetes.io/version` on every object,
   * and on the pod templates of the components that run the app's image. A component that runs an
   * image of its own (nginx, Logstash, Grafana, a frontend) labels its pod template with that
   * image's tag instead, so a release that changes nothing in its pods does not restart them.
   * @default - the image tag
   */
  readonly version?: string;
}

export const MANAGED_BY = 'cdk8s';

/** The version an image tag stands for: the tag without its digest; none for a digest alone. */
export function versionOfTag(tag: string): string | undefined {
  if (typeof tag !== 'string' || tag.startsWith('sha256:')) return undefined;
  return tag.split('@')[0];
}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const VERSION = 'app.kubernetes.io/version';

/** What a release may be (it is the value of `app.kubernetes.io/version`), as error messages say it. */
export const RELEASE_VERSION = 'a label value (letters, digits, "-", "_", ".", starting and ending with a letter or digit, at most 63 characters)';

/** Whether `version` can be a release: a non-empty label value. */
export function isReleaseVersion(version: unknown): boolean {
  return typeof version === 'string' && version !== '' && version.length <= 63 && LABEL_VALUE.test(version);
}

/** Whose image a component's pods run, which decides the version label of its pod template. */
export enum PodImage {
  /** The app's image (the backend, workers, beat, jobs): the pods' version is the release. */
  APP = 'app',
  /** An image of the component's own (nginx, Logstash, Grafana, a frontend): the pods' version is its tag. */
  OWN = 'own',
}

function checkVersion(owner: Owner, field: string, version: string, what: string): void {
  if (version.length > 63 || !LABEL_VALUE.test(version)) {
    invalid(owner, field, `${what} (letters, digits, "-", "_", ".", at most 63 characters)`, version);
  }
}

/** The labels of one component, resolved and validated once. */
/**
 * The labels that select a component's pods: name, instance and component. Selectors are immutable
 * in Kubernetes, so they never depend on the construct path, the version or anything else that may change.
 */
export function selectorLabels(owner: Owner, identity: ComponentIdentityProps, component: string): Record<string, string> {
  const appName = checkDnsLabel(owner, 'appName', identity.appName);
  const instance = checkDnsLabel(owner, 'instance', identity.instance ?? appName);
  return {
    'app.kubernetes.io/name': appName,
    'app.kubernetes.io/instance': instance,
    'app.kubernetes.io/component': component,
  };
}

export class ComponentLabels {
  /** The only labels a selector may use: {@link selectorLabels}. */
  public readonly selector: Record<string, string>;
  /**
   * Labels for object metadata: the selector plus part-of, version (the release) and managed-by.
   * A changed metadata label rolls no pod, and the render's index, README and rendered-branch
   * commit read the release from it.
   */
  public readonly all: Record<string, string>;
  /**
   * Labels for the pod template: as {@link all}, but version is that of what the pods run. A
   * component with an image of its own carries its tag's version (none for a digest alone), so
   * its pod template, and its pods, stay as they are when only the release changes.
   */
  public readonly pod: Record<string, string>;

  /**
   * @param tag the image tag the pods run; the release when the identity names none
   * @param image whether the pods run the app's image or one of their own
   */
  constructor(owner: Owner, identity: ComponentIdentityProps, component: string, tag: string, image: PodImage = PodImage.APP) {
    this.selector = selectorLabels(owner, identity, component);
    const appName = this.selector['app.kubernetes.io/name'];
    const release = identity.version ?? versionOfTag(tag);
    if (release === undefined) {
      invalid(owner, 'version', 'set when the image is pinned by a digest alone (the version label cannot be derived from it)', identity.version);
    }
    checkVersion(owner, 'version', release, 'a label value');
    const podVersion = image === PodImage.OWN ? versionOfTag(tag) : release;
    if (podVersion !== undefined && podVersion !== release) {
      checkVersion(owner, 'tag', podVersion, 'a label value as well, since it is the version label of the pods');
    }
    this.all = {
      ...this.selector,
      'app.kubernetes.io/part-of': appName,
      [VERSION]: release,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
    const pod = { ...this.all };
    if (podVersion === undefined) delete pod[VERSION];
    else pod[VERSION] = podVersion;
    this.pod = pod;
  }
}
