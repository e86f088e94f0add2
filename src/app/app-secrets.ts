import { Construct } from 'constructs';
import { AppSecretStoreProps } from './app-parts';
import { invalid } from '../platform/errors';
import { SyncedSecret } from '../platform/external-secret';
import { SecretKeyReference } from '../platform/secret-reference';

/**
 * One ExternalSecret per Secret the components read, with exactly the keys they read, in the
 * order they first appear: a key nothing reads is never required in the store, and a key
 * something reads is never missing from the Secret.
 */
export function syncSecrets(scope: Construct, store: AppSecretStoreProps, namespace: string, keys: SecretKeyReference[]): SyncedSecret[] {
  if (typeof store.storeName !== 'string' || store.storeName === '') {
    invalid(scope, 'secretStore.storeName', 'the name of a SecretStore or ClusterSecretStore', store.storeName);
  }
  const prefix = store.remoteKeyPrefix ?? namespace;
  if (!/^[\w.-]+(\/[\w.-]+)*$/.test(prefix)) invalid(scope, 'secretStore.remoteKeyPrefix', 'a path such as "shop/production"', prefix);
  const bySecret = new Map<string, string[]>();
  for (const { secretName, key } of keys) {
    const list = bySecret.get(secretName) ?? [];
    if (!list.includes(key)) list.push(key);
    bySecret.set(secretName, list);
  }
  return [...bySecret].map(([secretName, secretKeys]) => new SyncedSecret(scope, `secret-${secretName}`, {
    secretName,
    storeName: store.storeName,
    storeKind: store.storeKind,
    keys: secretKeys.map((key) => ({ secretKey: key, remoteKey: `${prefix}/${secretName}`, property: key })),
  }));
}
