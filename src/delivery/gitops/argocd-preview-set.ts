import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import { ARGOCD_NAMESPACE, checkArgoName, checkLabels, checkRepoPath, IN_CLUSTER } from './argocd-checks';
import { checkDnsLabel } from '../../platform/errors';

/** Finalizer that makes deleting an Application delete what it deployed. */
const CASCADE_FINALIZER = 'resources-finalizer.argocd.argoproj.io';

/** The Pod Security labels a rendered Namespace has (`addRestrictedNamespace`), for the namespaces Argo CD creates. */
const RESTRICTED = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
};

export interface ArgoCdPreviewSetProps {
  /** The ApplicationSet's name, and the start of its Applications' names (`<name>-<folder>`). */
  readonly name: string;
  /** The namespace Argo CD runs in. @default 'argocd' */
  readonly namespace?: string;
  /** The AppProject of the generated Applications. */
  readonly project: string;
  /** The Git repository holding the rendered branch. */
  readonly repoUrl: string;
  /** The rendered branch. */
  readonly branch: string;
  /** The folder of the branch that holds one folder per preview. */
  readonly folder: string;
  /** The start of each preview's namespace: `<namespacePrefix>-<preview folder>`. */
  readonly namespacePrefix: string;
  /** The manifests of each preview folder. */
  readonly include: string;
  /** Labels of the ApplicationSet and its Applications. */
  readonly labels?: { [key: string]: string };
}

/**
 * An Argo CD ApplicationSet with a git directory generator over `<folder>/*` of the rendered branch:
 * one Application per preview folder, synced with prune into a namespace Argo CD creates (with the
 * Pod Security labels of a rendered Namespace). When a folder leaves the branch, the ApplicationSet
 * deletes its Application, and the cascade finalizer deletes what it deployed. A minimal hand-written
 * binding: the generated one of the ApplicationSet CRD is megabytes of TypeScript.
 */
export class ArgoCdPreviewSet extends Construct {
  /** The rendered ApplicationSet. */
  public readonly apiObject: ApiObject;

  constructor(scope: Construct, id: string, props: ArgoCdPreviewSetProps) {
    super(scope, id);
    const name = checkArgoName(this, 'name', props.name);
    const folder = checkRepoPath(this, 'folder', props.folder);
    const prefix = checkDnsLabel(this, 'namespacePrefix', props.namespacePrefix);
    const labels = checkLabels(this, 'labels', props.labels);
    this.apiObject = new ApiObject(this, 'resource', {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'ApplicationSet',
      metadata: { name, namespace: checkArgoName(this, 'namespace', props.namespace ?? ARGOCD_NAMESPACE), labels },
      spec: {
        goTemplate: true,
        goTemplateOptions: ['missingkey=error'],
        generators: [{ git: { repoURL: props.repoUrl, revision: props.branch, directories: [{ path: `${folder}/*` }] } }],
        // The ApplicationSet may create, update and delete its Applications (the default policy, stated),
        // and deleting one deletes its resources: a closed pull request leaves nothing behind.
        syncPolicy: { applicationsSync: 'sync', preserveResourcesOnDeletion: false },
        template: {
          metadata: {
            name: `${name}-{{.path.basename}}`,
            labels: { ...labels, 'app.kubernetes.io/instance': `${prefix}-{{.path.basename}}` },
            finalizers: [CASCADE_FINALIZER],
          },
          spec: {
            project: props.project,
            source: { repoURL: props.repoUrl, targetRevision: props.branch, path: '{{.path.path}}', directory: { include: props.include } },
            destination: { server: IN_CLUSTER, namespace: `${prefix}-{{.path.basename}}` },
            syncPolicy: {
              automated: { prune: true, selfHeal: true },
              syncOptions: ['ServerSideApply=true', 'CreateNamespace=true'],
              managedNamespaceMetadata: { labels: RESTRICTED },
            },
          },
        },
      },
    });
  }
}
