import { ENVIRONMENTS } from '../../src/picvario/environments';
import { picvarioApp } from '../../src/picvario/main';
import { cdk8sOrder, renderOrder } from '../support/render-order';

// The render takes charts and objects in cdk8s's own order (test/delivery/render-order.test.ts), here
// for the Picvario environments.
test('GIVEN the Picvario environments WHEN the render takes their charts and objects THEN they come in cdk8s\'s order', () => {
  const order = renderOrder(picvarioApp('/unused', ENVIRONMENTS));
  expect(order.map(([folder]) => folder)).toEqual(['test', 'staging', 'production']);
  expect(order).toEqual(cdk8sOrder(picvarioApp('/unused', ENVIRONMENTS)));
});
