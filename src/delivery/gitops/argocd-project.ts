import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { checkArgoName, checkLabels, checkResourceKinds, IN_CLUSTER, ARGOCD_NAMESPACE } from './argocd-checks';
import { AppProject } from '../../crds/argocd-appproject-argoproj.io';
import { invalid } from '../../platform/errors';

/** A group and kind of Kubernetes object, as Argo CD's resource allow lists name them. */
export interface ArgoCdResourceKind {
  /**
   * The API group: `''` for the core group (Namespace, Service), `apps`, `scheduling.k8s.io`, ...
   */
  readonly group: string;
  /** The kind, e.g. `Namespace`. */
  readonly kind: string;
}

/** A cluster and namespace that Applications of a project may deploy into. */
export interface ArgoCdDestination {
  /** The namespace, or a prefix glob such as `shop-pr-*` (every namespace that starts with `shop-pr-`). */
  readonly namespace: string;
  /**
   * The API server URL of the cluster.
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly server?: string;
}

export interface ArgoCdProjectProps {
  /** The AppProject's name, which Applications name in `spec.project`. */
  readonly name: string;
  /**
   * The namespace Argo CD runs in.
   * @default 'argocd'
   */
  readonly namespace?: string;
  /**
   * A one-line description shown in the Argo CD UI.
   * @default - none
   */
  readonly description?: string;
  /** The Git repositories that Applications of the project may read; at least one. */
  readonly sourceRepos: string[];
  /** Where Applications of the project may deploy; at least one. */
  readonly destinations: ArgoCdDestination[];
  /**
   * The cluster-scoped kinds the project may create. Argo CD denies every cluster-scoped kind
   * that is not listed, so list exactly what the rendered folders contain.
   * @default - none: no cluster-scoped objects
   */
  readonly clusterResources?: ArgoCdResourceKind[];
  /**
   * The namespaced kinds the project may create (an empty list means the same as none given).
   * @default - every namespaced kind
   */
  readonly namespaceResources?: ArgoCdResourceKind[];
  /**
   * Labels of the AppProject object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

function kindList(kinds: ArgoCdResourceKind[] | undefined) {
  return kinds?.length ? kinds.map((r) => ({ group: r.group, kind: r.kind })) : undefined;
}

/**
 * An Argo CD AppProject: the fence around a set of Applications (which repositories they read,
 * which namespaces and kinds they may touch).
 */
export class ArgoCdProject extends Construct {
  /** The project name, for `ArgoCdApplicationProps.project`. */
  public readonly name: string;
  /** The rendered AppProject. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdProjectProps) {
    super(scope, id);
    this.name = checkArgoName(this, 'name', props.name);
    const namespace = checkArgoName(this, 'namespace', props.namespace ?? ARGOCD_NAMESPACE);
    if (!props.sourceRepos?.length || props.sourceRepos.some((r) => typeof r !== 'string' || r.trim() === '')) {
      invalid(this, 'sourceRepos', 'a non-empty list of repository URLs (or "*")', props.sourceRepos);
    }
    if (!props.destinations?.length) {
      invalid(this, 'destinations', 'a non-empty list of { namespace, server? }', props.destinations);
    }
    const destinations = props.destinations.map((d, i) => ({
      namespace: typeof d.namespace === 'string' && d.namespace.endsWith('-*')
        ? `${checkArgoName(this, `destinations[${i}].namespace`, d.namespace.slice(0, -2))}-*`
        : checkArgoName(this, `destinations[${i}].namespace`, d.namespace),
      server: d.server ?? IN_CLUSTER,
    }));
    checkResourceKinds(this, 'clusterResources', props.clusterResources ?? []);
    checkResourceKinds(this, 'namespaceResources', props.namespaceResources ?? []);

    this.apiObject = new AppProject(this, 'resource', {
      metadata: { name: this.name, namespace, labels: checkLabels(this, 'labels', props.labels) },
      spec: {
        description: props.description,
        sourceRepos: [...props.sourceRepos],
        destinations,
        // Left out when empty: Argo CD then denies every cluster-scoped kind, and an empty list
        // is a field the live object may not echo back (an endless OutOfSync).
        clusterResourceWhitelist: kindList(props.clusterResources),
        namespaceResourceWhitelist: kindList(props.namespaceResources),
      },
    });
  }
}
