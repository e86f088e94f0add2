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
   * The application version, written to `app.kubernetes.io/version` on every object.
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

/** The labels of one component, resolved and validated once. */
export class ComponentLabels {
  /**
   * The only labels a selector may use. Selectors are immutable in Kubernetes, so they
   * never depend on the construct path, the version or anything else that may change.
   */
  public readonly selector: Record<string, string>;
  /** Labels for object metadata and pod templates: the selector plus part-of, version and managed-by. */
  public readonly all: Record<string, string>;

  constructor(owner: Owner, identity: ComponentIdentityProps, component: string, version: string) {
    const appName = checkDnsLabel(owner, 'appName', identity.appName);
    const instance = checkDnsLabel(owner, 'instance', identity.instance ?? appName);
    const resolvedVersion = identity.version ?? versionOfTag(version);
    if (resolvedVersion === undefined) {
      invalid(owner, 'version', 'set when the image is pinned by a digest alone (the version label cannot be derived from it)', identity.version);
    }
    if (resolvedVersion.length > 63 || !LABEL_VALUE.test(resolvedVersion)) {
      invalid(owner, 'version', 'a label value (letters, digits, "-", "_", ".", at most 63 characters)', resolvedVersion);
    }
    this.selector = {
      'app.kubernetes.io/name': appName,
      'app.kubernetes.io/instance': instance,
      'app.kubernetes.io/component': component,
    };
    this.all = {
      ...this.selector,
      'app.kubernetes.io/part-of': appName,
      'app.kubernetes.io/version': resolvedVersion,
      'app.kubernetes.io/managed-by': MANAGED_BY,
    };
  }
}
