import { ComponentLabels, PodImage } from '../../src/platform/labels';

describe('component labels', () => {
  test('GIVEN an identity WHEN resolved THEN the selector holds only name, instance and component', () => {
    const labels = new ComponentLabels('X', { appName: 'shop', instance: 'shop-prod' }, 'backend', '1.2.3');
    expect(labels.selector).toEqual({
      'app.kubernetes.io/name': 'shop',
      'app.kubernetes.io/instance': 'shop-prod',
      'app.kubernetes.io/component': 'backend',
    });
    expect(labels.all).toEqual({
      ...labels.selector,
      'app.kubernetes.io/part-of': 'shop',
      'app.kubernetes.io/version': '1.2.3',
      'app.kubernetes.io/managed-by': 'cdk8s',
    });
  });

  test('GIVEN no instance THEN the app name is the instance', () => {
    expect(new ComponentLabels('X', { appName: 'shop' }, 'web', 'v1').selector['app.kubernetes.io/instance']).toBe('shop');
  });

  test('GIVEN an invalid app name or version THEN synth fails naming the field', () => {
    expect(() => new ComponentLabels('X', { appName: 'Shop_1' }, 'web', 'v1')).toThrow(/X: appName must be a DNS-1035 label/);
    expect(() => new ComponentLabels('X', { appName: 'shop', version: 'not/valid' }, 'web', 'v1')).toThrow(/X: version must be a label value/);
  });
});

describe('pod template labels', () => {
  test('GIVEN pods that run the app image THEN their version label is the release, as on the objects', () => {
    const labels = new ComponentLabels('X', { appName: 'shop', version: '1.4.0' }, 'backend', 'build-17');
    expect(labels.pod).toEqual(labels.all);
    expect(labels.pod['app.kubernetes.io/version']).toBe('1.4.0');
  });

  test('GIVEN pods that run an image of their own THEN their version label is its tag, the objects keep the release', () => {
    const labels = new ComponentLabels('X', { appName: 'shop', version: '1.4.0' }, 'edge', `1.27.3-alpine@sha256:${'0'.repeat(64)}`, PodImage.OWN);
    expect(labels.pod).toEqual({ ...labels.all, 'app.kubernetes.io/version': '1.27.3-alpine' });
    expect(labels.all['app.kubernetes.io/version']).toBe('1.4.0');
  });

  test('GIVEN an own image pinned by a digest alone THEN the pod template has no version label', () => {
    const labels = new ComponentLabels('X', { appName: 'shop', version: '1.4.0' }, 'edge', `sha256:${'0'.repeat(64)}`, PodImage.OWN);
    expect(labels.pod['app.kubernetes.io/version']).toBeUndefined();
    expect(labels.pod['app.kubernetes.io/component']).toBe('edge');
  });
});
