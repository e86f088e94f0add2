// The render that the diff guard's tests change, one rule at a time (manifest-diff.test.ts and .integration.ts).
import { deployment, service } from './helpers';

function pdb(name: string) {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': name } }, spec: { minAvailable: 1 } };
}

function job(name: string, image: string, hook: boolean) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: 'ns', labels: { 'app.kubernetes.io/component': 'migrate' }, annotations: hook ? { 'argocd.argoproj.io/hook': 'PreSync' } : undefined },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'migrate', image }] } } },
  };
}

export function baseline(): any[] {
  return [deployment('backend'), service('backend'), pdb('backend'), job('migrate', 'app:1', false), job('migrate-hook', 'app:1', true)];
}
