import { DjangoSettings, DjangoSettingsProps } from '../../src';

const base: DjangoSettingsProps = {
  settingsModule: 'shop.settings', secretName: 'shop-app', mediaBucket: 'shop-media', staticBucket: 'shop-static', s3Region: 'eu-central-1',
};
const env = (props: Partial<DjangoSettingsProps> = {}) =>
  Object.fromEntries(new DjangoSettings({ ...base, ...props }).renderEnv().map((e) => [e.name, e.value ?? e.valueFrom]));

describe('DjangoSettings', () => {
  test('GIVEN public hosts with a wildcard THEN DJANGO_PUBLIC_HOSTS lists them as ALLOWED_HOSTS writes them, once each', () => {
    expect(env({ publicHosts: ['shop.example.com', '*.shop.example.com', 'shop.example.net'] }).DJANGO_PUBLIC_HOSTS).toBe('shop.example.com,.shop.example.com,shop.example.net');
    expect(env()).not.toHaveProperty('DJANGO_PUBLIC_HOSTS');
    expect(() => env({ publicHosts: ['shop.example.com', 'shop.example.com'] })).toThrow(/^DjangoSettings: publicHosts\[1\] must be a host named once; got "shop\.example\.com"/);
    expect(() => env({ env: { DJANGO_PUBLIC_HOSTS: 'x' }, publicHosts: ['a.example.com'] })).toThrow(/env\.DJANGO_PUBLIC_HOSTS must be set once/);
  });

  test('GIVEN an S3-compatible endpoint THEN STATIC_URL defaults to the bucket on that endpoint', () => {
    const vars = env({ s3Endpoint: 'https://minio.example.com/' });
    expect(vars.AWS_S3_ENDPOINT_URL).toBe('https://minio.example.com');
    expect(vars.STATIC_URL).toBe('https://minio.example.com/shop-static/');
  });

  test('GIVEN a CDN THEN STATIC_URL is the CDN', () => {
    expect(env({ staticUrl: 'https://cdn.example.com/static/' }).STATIC_URL).toBe('https://cdn.example.com/static/');
  });

  test('GIVEN secret variables THEN they are Secret references, and plain settings are sorted by name', () => {
    const settings = new DjangoSettings({
      ...base, secretEnv: [{ name: 'SEARCH_PASSWORD', secretName: 'search', key: 'password' }], env: { Z_FLAG: '1', A_FLAG: '2' },
    });
    const names = settings.renderEnv().map((e) => e.name);
    expect(names.slice(-3)).toEqual(['SEARCH_PASSWORD', 'A_FLAG', 'Z_FLAG']);
    expect(settings.renderEnv().find((e) => e.name === 'SEARCH_PASSWORD')!.valueFrom).toEqual({ secretKeyRef: { name: 'search', key: 'password' } });
  });

  test.each([
    [{ secretEnv: [{ name: 'TOKEN', secretName: 'api', key: '' }] }, /secretEnv\[0\]\.key must be a Secret key/],
    [{ secretEnv: [{ name: 'TOKEN', secretName: '', key: 'token' }] }, /secretEnv\[0\]\.secretName must be the name of an existing Secret/],
    [{ databaseUrlKey: '' }, /DjangoSettings: databaseUrlKey must be a Secret key/],
    [{ mediaBucket: 'Bad_Bucket' }, /mediaBucket must be an S3 bucket name/],
    [{ staticUrl: 'https://cdn.example.com/static' }, /staticUrl must be a URL ending in "\/"/],
    [{ s3Endpoint: 'minio:9000' }, /s3Endpoint must be an http\(s\) URL/],
    [{ env: { DATABASE_URL: 'postgres://x' } }, /env\.DATABASE_URL must be set once/],
    [{ settingsModule: 'shop/settings' }, /settingsModule must be a dotted Python module path/],
  ])('GIVEN bad props %j THEN the error names DjangoSettings and the field', (overrides, message) => {
    expect(() => env(overrides as Partial<DjangoSettingsProps>)).toThrow(message);
    expect(() => env(overrides as Partial<DjangoSettingsProps>)).toThrow(/^DjangoSettings: /);
  });
});
