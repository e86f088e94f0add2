import { Construct } from 'constructs';
import { checkEnum, checkSecretKey, invalid } from './errors';
import { ExternalSecret, ExternalSecretSpecSecretStoreRefKind, ExternalSecretSpecTargetCreationPolicy } from '../crds/external-secrets-externalsecret-external-secrets.io';

/** Which kind of store the External Secrets Operator reads from. */
export enum SecretStoreKind {
  /** A SecretStore in the same namespace. */
  SECRET_STORE = 'SecretStore',
  /** A ClusterSecretStore shared by every namespace. */
  CLUSTER_SECRET_STORE = 'ClusterSecretStore',
}

/** One key of the Kubernetes Secret, and where its value lives in the store. */
export interface SyncedSecretKey {
  /** Key in the Kubernetes Secret. */
  readonly secretKey: string;
  /** Key of the entry in the external store. */
  readonly remoteKey: string;
  /**
   * Property of that entry, for stores that hold JSON documents.
   * @default - the whole entry
   */
  readonly property?: string;
}

/** A Kubernetes Secret kept in sync from an external store. */
export interface SyncedSecretProps {
  /** Name of the Secret the operator creates and owns. */
  readonly secretName: string;
  /** The SecretStore or ClusterSecretStore to read from. */
  readonly storeName: string;
  /**
   * The store's kind.
   * @default SecretStoreKind.CLUSTER_SECRET_STORE
   */
  readonly storeKind?: SecretStoreKind;
  /** The keys of the Secret. */
  readonly keys: SyncedSecretKey[];
  /**
   * How often the operator re-reads the store.
   * @default '1h'
   */
  readonly refreshInterval?: string;
}

/**
 * An External Secrets Operator `ExternalSecret`: the manifests name the store and the keys,
 * never the values, and the operator writes the Secret into the namespace.
 */
export class SyncedSecret extends Construct {
  /** The Secret's name, for `secretKeyRef`s. */
  public readonly secretName: string;

  constructor(scope: Construct, id: string, props: SyncedSecretProps) {
    super(scope, id);
    if (!props.storeName) invalid(this, 'storeName', 'the name of a SecretStore or ClusterSecretStore', props.storeName);
    if (!props.keys || props.keys.length === 0) invalid(this, 'keys', 'a non-empty list', props.keys);
    props.keys.forEach((k, i) => {
      checkSecretKey(this, 'secretName', props.secretName, `keys[${i}].secretKey`, k.secretKey);
      if (!k.remoteKey) invalid(this, `keys[${i}].remoteKey`, 'the key of the entry in the store', k.remoteKey);
    });
    const refresh = props.refreshInterval ?? '1h';
    if (!/^([0-9]+(s|m|h))+$/.test(refresh)) invalid(this, 'refreshInterval', 'a duration such as "30m" or "1h"', refresh);
    this.secretName = props.secretName;
    new ExternalSecret(this, 'Resource', {
      metadata: { name: props.secretName },
      spec: {
        refreshInterval: refresh,
        secretStoreRef: {
          name: props.storeName,
          kind: checkEnum(this, 'storeKind', props.storeKind ?? SecretStoreKind.CLUSTER_SECRET_STORE, SecretStoreKind) as unknown as ExternalSecretSpecSecretStoreRefKind,
        },
        target: { name: props.secretName, creationPolicy: ExternalSecretSpecTargetCreationPolicy.OWNER },
        data: props.keys.map((k) => ({ secretKey: k.secretKey, remoteRef: { key: k.remoteKey, property: k.property } })),
      },
    });
  }
}
