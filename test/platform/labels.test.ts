import { ComponentLabels } from '../../src/platform/labels';

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
