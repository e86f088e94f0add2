import { Testing } from 'cdk8s';
import { SecretStoreKind, SyncedSecret, SyncedSecretProps } from '../../src';
import { newChart } from '../support/synth';

function synced(overrides: Partial<SyncedSecretProps> = {}) {
  const chart = newChart();
  new SyncedSecret(chart, 'db', { secretName: 'app', storeName: 'vault', keys: [{ secretKey: 'database-url', remoteKey: 'shop/app', property: 'dsn' }], ...overrides });
  return Testing.synth(chart);
}

describe('SyncedSecret', () => {
  test('GIVEN keys THEN an ExternalSecret names the store and the remote keys, never a value', () => {
    const [es] = synced({ storeKind: SecretStoreKind.SECRET_STORE });
    expect(es).toMatchSnapshot();
    expect(es.apiVersion).toBe('external-secrets.io/v1');
    expect(es.spec.secretStoreRef).toEqual({ name: 'vault', kind: 'SecretStore' });
    expect(es.spec.target).toEqual({ name: 'app', creationPolicy: 'Owner' });
    expect(es.spec.data).toEqual([{ secretKey: 'database-url', remoteRef: { key: 'shop/app', property: 'dsn' } }]);
  });

  test.each([
    [{ keys: [{ secretKey: '', remoteKey: 'x' }] }, /keys\[0\]\.secretKey must be a Secret key/],
    [{ keys: [{ secretKey: 'a', remoteKey: '' }] }, /keys\[0\]\.remoteKey must be the key of the entry in the store/],
    [{ keys: [] }, /keys must be a non-empty list/],
    [{ refreshInterval: 'hourly' }, /refreshInterval must be a duration such as "30m" or "1h"/],
  ])('GIVEN bad props %j THEN synth fails naming SyncedSecret and the field', (overrides, message) => {
    expect(() => synced(overrides as Partial<SyncedSecretProps>)).toThrow(message);
    expect(() => synced(overrides as Partial<SyncedSecretProps>)).toThrow(/^SyncedSecret 'test\/db': /);
  });
});
