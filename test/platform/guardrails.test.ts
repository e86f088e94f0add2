import { Testing } from 'cdk8s';
import { NamespaceGuardrails } from '../../src';
import { find, newChart } from '../support/synth';

describe('NamespaceGuardrails', () => {
  test('GIVEN ceilings THEN a ResourceQuota and a LimitRange are rendered in canonical form', () => {
    const chart = newChart();
    new NamespaceGuardrails(chart, 'g', { requestsCpu: '16000m', requestsMemory: '32768Mi', limitsCpu: '32', limitsMemory: '64Gi' });
    const all = Testing.synth(chart);
    expect(find(all, 'ResourceQuota', 'compute').spec.hard).toEqual({
      'requests.cpu': '16', 'requests.memory': '32Gi', 'limits.cpu': '32', 'limits.memory': '64Gi', 'pods': '200',
    });
    expect(find(all, 'LimitRange', 'container-defaults').spec.limits[0]).toMatchObject({ type: 'Container', max: { cpu: '8', memory: '16Gi' } });
  });

  test('GIVEN a malformed quantity THEN synth fails naming the field', () => {
    expect(() => new NamespaceGuardrails(newChart(), 'g', { requestsCpu: 'many', requestsMemory: '1Gi', limitsCpu: '1', limitsMemory: '1Gi' }))
      .toThrow(/NamespaceGuardrails 'test\/g': requestsCpu must be a Kubernetes quantity/);
  });
});
