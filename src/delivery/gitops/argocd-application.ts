import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD_NAMESPACE, checkArgoName, checkGlob, checkLabels, checkRepoPath, IN_CLUSTER } from './argocd-checks';
import { Application } from '../../crds/argocd-application-argoproj.io';
import { invalid } from '../../platform/errors';

/** Finalizer that makes deleting the Application delete what it deployed. */
const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

export interface ArgoCdApplicationProps {
  /** The Application's name. */
  readonly name: string;
  /**
   * The namespace Argo CD runs in (where it watches for Applications).
   * @default 'argocd'
   */
  readonly namespace?: string;
  /** The AppProject the Application belongs to. */
  readonly project: string;
  /** The Git repository holding the rendered manifests. */
  readonly repoUrl: string;
  /** The folder of plain manifests inside the repository, relative to its root. */
  readonly path: string;
  /**
   * A glob of the files in `path` that are manifests, e.g. `*.yaml`. Argo CD reads every `.json`,
   * `.yaml` and `.yml` file otherwise, and fails the whole sync on one that is not a manifest.
   * @default - every such file
   */
  readonly include?: string;
  /**
   * A glob of files in `path` that Argo CD must not apply, even when `include` matches them.
   * @default - none
   */
  readonly exclude?: string;
  /**
   * The branch, tag or commit to follow.
   * @default 'HEAD'
   */
  readonly targetRevision?: string;
  /** The namespace the manifests deploy into. */
  readonly destinationNamespace: string;
  /**
   * The API server URL of the target cluster.
   * @default 'https://kubernetes.default.svc' (the cluster Argo CD runs in)
   */
  readonly destinationServer?: string;
  /**
   * Delete objects that are no longer in the folder. Rendered folders never keep stale files,
   * so an object missing from the folder really was removed.
   * @default true
   */
  readonly prune?: boolean;
  /**
   * Undo changes made in the cluster by hand.
   * @default true
   */
  readonly selfHeal?: boolean;
  /**
   * Apply with server-side apply, so fields owned by autoscalers and controllers are left alone.
   * @default true
   */
  readonly serverSideApply?: boolean;
  /**
   * Let Argo CD create the destination namespace. Leave off when the folder renders its Namespace
   * (with labels such as Pod Security admission), or the two would fight over it.
   * @default false
   */
  readonly createNamespace?: boolean;
  /**
   * Further sync options, e.g. `PruneLast=true`.
   * @default - none
   */
  readonly syncOptions?: string[];
  /**
   * Delete everything the Application deployed when the Application itself is deleted.
   * Off by default: removing an Application from an app-of-apps folder should orphan a
   * running environment, not wipe it.
   * @default false
   */
  readonly cascadeDelete?: boolean;
  /**
   * Labels of the Application object.
   * @default - none
   */
  readonly labels?: { [key: string]: string };
}

/** An Argo CD Application that keeps a namespace in sync with a folder of plain manifests in Git. */
export class ArgoCdApplication extends Construct {
  /** The Application's name. */
  public readonly name: string;
  /** The rendered Application. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdApplicationProps) {
    super(scope, id);
    this.name = checkArgoName(this, 'name', props.name);
    const namespace = checkArgoName(this, 'namespace', props.namespace ?? ARGOCD_NAMESPACE);
    const project = checkArgoName(this, 'project', props.project);
    if (typeof props.repoUrl !== 'string' || props.repoUrl.trim() === '') {
      invalid(this, 'repoUrl', 'the URL of a Git repository', props.repoUrl);
    }
    const path = checkRepoPath(this, 'path', props.path);
    const destinationNamespace = checkArgoName(this, 'destinationNamespace', props.destinationNamespace);
    const extra = props.syncOptions ?? [];
    extra.forEach((o, i) => {
      if (typeof o !== 'string' || !/^[A-Za-z]+=[^\s]+$/.test(o)) invalid(this, `syncOptions[${i}]`, 'an option "Name=value", e.g. "PruneLast=true"', o);
    });
    const syncOptions = [
      ...((props.serverSideApply ?? true) ? ['ServerSideApply=true'] : []),
      ...((props.createNamespace ?? false) ? ['CreateNamespace=true'] : []),
      ...extra,
    ];

    this.apiObject = new Application(this, 'resource', {
      metadata: {
        name: this.name,
        namespace,
        labels: checkLabels(this, 'labels', props.labels),
        finalizers: props.cascadeDelete ? [CASCADE_FINALIZER] : undefined,
      },
      spec: {
        project,
        source: {
          repoUrl: props.repoUrl,
          targetRevision: props.targetRevision ?? 'HEAD',
          path,
          directory: props.include === undefined && props.exclude === undefined ? undefined : {
            include: props.include === undefined ? undefined : checkGlob(this, 'include', props.include),
            exclude: props.exclude === undefined ? undefined : checkGlob(this, 'exclude', props.exclude),
          },
        },
        destination: { server: props.destinationServer ?? IN_CLUSTER, namespace: destinationNamespace },
        syncPolicy: {
          automated: { prune: props.prune ?? true, selfHeal: props.selfHeal ?? true },
          syncOptions: syncOptions.length ? syncOptions : undefined,
        },
      },
    });
  }
}
