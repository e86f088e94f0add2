import { checkPublicHosts, djangoAllowedHosts, isPublicHost } from '../../src/platform/public-hosts';

describe('public hosts', () => {
  test.each(['example.com', 'shop.example.com', '*.shop.example.com', 'localhost', 'a-b.c1.example'])(
    'GIVEN %j WHEN checked THEN it is a host an Ingress rule takes', (host) => {
      expect(isPublicHost(host)).toBe(true);
    });

  test.each(['', '_', 'Shop.example.com', '*.', '*example.com', 'a.*.example.com', '-a.example.com', 'a..example.com', 'example.com.', '~^(.+)\\.example\\.com$'])(
    'GIVEN %j WHEN checked THEN it is no host', (host) => {
      expect(isPublicHost(host)).toBe(false);
    });

  test('GIVEN a list with a host named twice WHEN checked THEN the error names the owner, the repeated entry and the accepted form', () => {
    expect(() => checkPublicHosts('Edge', 'additionalHosts', ['a.example.com', 'b.example.com', 'a.example.com']))
      .toThrow('Edge: additionalHosts[2] must be a host named once; got "a.example.com"');
  });

  test('GIVEN a wildcard and the name under it WHEN written as ALLOWED_HOSTS THEN the wildcard is Django\'s leading dot, named once', () => {
    expect(djangoAllowedHosts(['example.com', '*.example.com', '.example.com'])).toEqual(['example.com', '.example.com']);
  });
});
