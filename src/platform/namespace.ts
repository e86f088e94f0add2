import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { clusterScoped } from './cluster-scoped';
import { checkDnsLabel } from './errors';

/**
 * A Namespace whose pods must meet the Pod Security Standard `restricted`: the API server
 * rejects any pod that does not, whatever manifest it came from.
 */
export function addRestrictedNamespace(scope: Construct, name: string, labels: Record<string, string>): k8s.KubeNamespace {
  checkDnsLabel('Namespace', 'namespace', name);
  const ns = new k8s.KubeNamespace(scope, 'Namespace', {
    metadata: {
      name,
      labels: {
        ...labels,
        'pod-security.kubernetes.io/enforce': 'restricted',
        'pod-security.kubernetes.io/enforce-version': 'latest',
        'pod-security.kubernetes.io/audit': 'restricted',
        'pod-security.kubernetes.io/warn': 'restricted',
      },
    },
  });
  clusterScoped(ns);
  return ns;
}
