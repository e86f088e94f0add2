import { k8s } from 'cdk8s-plus-27';
import { secretVar } from './django-settings';
import { checkSecretKey } from '../platform/errors';
import { SecretKeyReference } from '../platform/secret-reference';

/** The message transport Celery uses; it decides the KEDA trigger and the redelivery rules. */
export enum BrokerKind {
  /** Redelivers a task as soon as the consumer's connection drops. */
  RABBITMQ = 'rabbitmq',
  /**
   * Redelivers an unacknowledged task only after `visibility_timeout`: between the timeout and the
   * timeout + 10 s when the app sets `unacked_restore_throttle: 1` (kombu >= 5.7), up to ~100 s later otherwise.
   */
  REDIS = 'redis',
}

/** Where the broker is and which Secret keys hold its credentials. */
export interface CeleryBrokerProps {
  /** The broker's kind. */
  readonly kind: BrokerKind;
  /** An existing Secret with the broker's connection details. */
  readonly secretName: string;
  /**
   * Key of the Celery broker URL (`amqp://…` or `redis://…`), exposed as `CELERY_BROKER_URL`.
   * For RabbitMQ, KEDA reads the same URL.
   * @default 'broker-url'
   */
  readonly urlKey?: string;
  /**
   * Redis only: key of `host:port`, which KEDA's redis scaler reads.
   * @default 'redis-address'
   */
  readonly redisAddressKey?: string;
  /**
   * Redis only: key of the password, which KEDA's redis scaler reads.
   * @default - the Redis broker has no password
   */
  readonly redisPasswordKey?: string;
}

/** A validated broker reference shared by the web tier (which enqueues), workers and beat. */
export class CeleryBroker {
  public readonly kind: BrokerKind;
  public readonly secretName: string;
  public readonly urlKey: string;
  public readonly redisAddressKey: string;
  public readonly redisPasswordKey?: string;
  /** Every Secret key that Celery or KEDA reads for this broker. */
  public readonly secretKeys: SecretKeyReference[];

  constructor(props: CeleryBrokerProps) {
    this.kind = props.kind;
    this.secretName = props.secretName;
    this.urlKey = props.urlKey ?? 'broker-url';
    this.redisAddressKey = props.redisAddressKey ?? 'redis-address';
    this.redisPasswordKey = props.redisPasswordKey;
    checkSecretKey('CeleryBroker', 'url', this.secretName, this.urlKey);
    if (this.kind === BrokerKind.REDIS) {
      checkSecretKey('CeleryBroker', 'redisAddress', this.secretName, this.redisAddressKey);
      if (this.redisPasswordKey !== undefined) checkSecretKey('CeleryBroker', 'redisPassword', this.secretName, this.redisPasswordKey);
    }
    const keys = this.kind === BrokerKind.REDIS ? [this.urlKey, this.redisAddressKey, this.redisPasswordKey] : [this.urlKey];
    this.secretKeys = keys.filter((k): k is string => k !== undefined).map((key) => ({ secretName: this.secretName, key }));
  }

  /** `CELERY_BROKER_URL`, read from the Secret. */
  public renderEnv(): k8s.EnvVar[] {
    return [secretVar('CELERY_BROKER_URL', this.secretName, this.urlKey)];
  }
}
