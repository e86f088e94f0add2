import { canonicalQuantity } from '../../src/platform/quantity';

describe('canonical quantities', () => {
  test.each([
    ['1000m', '1'],
    ['1500m', '1500m'],
    ['0.5', '500m'],
    ['2', '2'],
    ['250m', '250m'],
    ['1024Mi', '1Gi'],
    ['512Mi', '512Mi'],
    ['0.5Gi', '512Mi'],
    ['1536Mi', '1536Mi'],
    ['2048Ki', '2Mi'],
    ['1G', '1G'],
    ['1000M', '1G'],
    ['2000', '2k'],
  ])('GIVEN %s WHEN canonicalised THEN it is written as the API server stores it: %s', (input, expected) => {
    expect(canonicalQuantity('test', 'field', input)).toBe(expected);
  });

  test.each(['', '1.5.5', '-1', '1e3', 'abc', '10mi', '1 Gi', '0', '0.0001'])(
    'GIVEN the malformed quantity %j THEN the error names the field and the accepted form', (input) => {
      expect(() => canonicalQuantity('Owner', 'resources.cpuRequest', input)).toThrow(/Owner: resources\.cpuRequest must be/);
    });
});
