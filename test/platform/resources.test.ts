import { renderResources } from '../../src/platform/resources';

describe('container resources', () => {
  test('GIVEN an extended resource such as a GPU THEN it is requested and limited alike, and a bad one is refused', () => {
    const r = renderResources('Worker', 'resources', { cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi', extendedResources: { 'nvidia.com/gpu': '1' } });
    expect([r.requests!['nvidia.com/gpu'].value, r.limits!['nvidia.com/gpu'].value]).toEqual(['1', '1']);
    const base = { cpuRequest: '1', cpuLimit: '2', memoryRequest: '2Gi', memoryLimit: '4Gi' };
    expect(() => renderResources('Worker', 'resources', { ...base, extendedResources: { gpu: '1' } })).toThrow(/resources.extendedResources.gpu must be set under a vendor resource name/);
    expect(() => renderResources('Worker', 'resources', { ...base, extendedResources: { 'nvidia.com/gpu': '0.5' } })).toThrow(/must be a whole number of devices/);
  });

  test('GIVEN non-canonical sizes WHEN rendered THEN requests and limits are canonical', () => {
    const r = renderResources('Backend', 'resources', { cpuRequest: '0.5', cpuLimit: '1000m', memoryRequest: '0.5Gi', memoryLimit: '2048Mi' });
    expect([r.requests!.cpu.value, r.requests!.memory.value, r.limits!.cpu.value, r.limits!.memory.value]).toEqual(['500m', '512Mi', '1', '2Gi']);
    expect([r.requests!['ephemeral-storage'].value, r.limits!['ephemeral-storage'].value]).toEqual(['256Mi', '1Gi']);
  });

  test('GIVEN a limit below its request THEN synth fails naming the limit and the request', () => {
    expect(() => renderResources('Backend', 'resources', { cpuRequest: '1', cpuLimit: '500m', memoryRequest: '1Gi', memoryLimit: '2Gi' }))
      .toThrow('Backend: resources.cpuLimit must be >= cpuRequest (1); got "500m"');
    expect(() => renderResources('Backend', 'resources', { cpuRequest: '1', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '512Mi' }))
      .toThrow('Backend: resources.memoryLimit must be >= memoryRequest (1Gi); got "512Mi"');
  });

  test('GIVEN a malformed quantity THEN synth fails naming the field', () => {
    expect(() => renderResources('Backend', 'resources', { cpuRequest: 'lots', cpuLimit: '1', memoryRequest: '1Gi', memoryLimit: '1Gi' }))
      .toThrow(/Backend: resources\.cpuRequest must be a Kubernetes quantity/);
  });
});
