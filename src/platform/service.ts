import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { ComponentLabels } from './labels';

/** A ClusterIP Service named after the component, selecting its pods by the stable selector labels. */
export function addService(scope: Construct, name: string, labels: ComponentLabels, port: number): k8s.KubeService {
  return new k8s.KubeService(scope, 'Service', {
    metadata: { name, labels: labels.all },
    spec: {
      type: 'ClusterIP',
      selector: labels.selector,
      ports: [{ name: 'http', port, targetPort: k8s.IntOrString.fromString('http'), protocol: 'TCP' }],
    },
  });
}
