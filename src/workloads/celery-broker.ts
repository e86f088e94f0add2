import { k8s } from 'cdk8s-plus-27';
import { secretVar } from './django-settings';
import { checkEnum, checkInteger, checkSecretKey, invalid } from '../platform/errors';
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

/** Whether the connection to a Redis broker is encrypted. */
export enum BrokerTransportSecurity {
  /** `redis://`. */
  PLAIN = 'plain',
  /** `rediss://` for Celery, `enableTLS` for KEDA. */
  TLS = 'tls',
}

/**
 * Where the broker is and which Secret keys hold its connection: one description that both Celery
 * and KEDA's scaler are rendered from, so they always read the same broker, database and credentials.
 */
export interface CeleryBrokerProps {
  /** The broker's kind. */
  readonly kind: BrokerKind;
  /** An existing Secret with the broker's connection details. */
  readonly secretName: string;
  /**
   * RabbitMQ only: key of the AMQP URL (`amqp://user:password@host:5672/vhost`; `amqps://` for TLS),
   * which Celery (`CELERY_BROKER_URL`) and KEDA (`host`) both read, vhost and TLS included.
   * @default 'broker-url'
   */
  readonly urlKey?: string;
  /**
   * Redis only: key of `host:port`, which Celery and KEDA read.
   * @default 'redis-address'
   */
  readonly redisAddressKey?: string;
  /**
   * Redis only: key of the password.
   * @default - the Redis broker has no password
   */
  readonly redisPasswordKey?: string;
  /**
   * Redis only: key of the ACL user name.
   * @default - the default user
   */
  readonly redisUsernameKey?: string;
  /**
   * Redis only: the database that holds the queues.
   * @default 0
   */
  readonly redisDatabaseIndex?: number;
  /**
   * Redis only: TLS to the broker. (For RabbitMQ, TLS is the `amqps://` scheme of the URL.)
   * @default BrokerTransportSecurity.PLAIN
   */
  readonly transportSecurity?: BrokerTransportSecurity;
}

/** One parameter of KEDA's TriggerAuthentication, read from a key of the broker's Secret. */
export interface KedaSecretParameter {
  readonly parameter: string;
  readonly key: string;
}

/**
 * The broker's variables, which CeleryBroker gives the web tier, the workers and beat (see
 * renderEnv). The compose importer reads it to tell which variables of a compose file the chart sets.
 */
export const BROKER_ENV = {
  url: 'CELERY_BROKER_URL',
  redisAddress: 'CELERY_BROKER_ADDRESS',
  redisUser: 'CELERY_BROKER_USER',
  redisPassword: 'CELERY_BROKER_PASSWORD',
} as const;

const OWNER = 'CeleryBroker';

/** A validated broker reference shared by the web tier (which enqueues), workers and beat. */
export class CeleryBroker {
  public readonly kind: BrokerKind;
  public readonly secretName: string;
  /** RabbitMQ: the key of the URL. */
  public readonly urlKey: string;
  public readonly redisAddressKey: string;
  public readonly redisPasswordKey?: string;
  public readonly redisUsernameKey?: string;
  /** Redis: the database index. */
  public readonly redisDatabaseIndex: number;
  public readonly transportSecurity: BrokerTransportSecurity;
  /** Every Secret key that Celery or KEDA reads for this broker. */
  public readonly secretKeys: SecretKeyReference[];

  constructor(props: CeleryBrokerProps) {
    if (!props || typeof props !== 'object') invalid(OWNER, 'props', 'a broker description { kind, secretName, ... }', props);
    this.kind = checkEnum(OWNER, 'kind', props.kind, BrokerKind);
    this.secretName = props.secretName;
    this.urlKey = props.urlKey ?? 'broker-url';
    this.redisAddressKey = props.redisAddressKey ?? 'redis-address';
    this.redisPasswordKey = props.redisPasswordKey;
    this.redisUsernameKey = props.redisUsernameKey;
    this.redisDatabaseIndex = props.redisDatabaseIndex ?? 0;
    this.transportSecurity = checkEnum(OWNER, 'transportSecurity', props.transportSecurity ?? BrokerTransportSecurity.PLAIN, BrokerTransportSecurity);
    if (this.kind === BrokerKind.RABBITMQ) {
      checkSecretKey(OWNER, 'secretName', this.secretName, 'urlKey', this.urlKey);
      for (const field of ['redisAddressKey', 'redisPasswordKey', 'redisUsernameKey', 'redisDatabaseIndex', 'transportSecurity'] as const) {
        if (props[field] !== undefined) {
          invalid(OWNER, field, 'left out for RabbitMQ (its URL names the vhost, the credentials and, with amqps://, TLS)', props[field]);
        }
      }
      this.secretKeys = [{ secretName: this.secretName, key: this.urlKey }];
    } else {
      if (props.urlKey !== undefined) {
        invalid(OWNER, 'urlKey', 'left out for Redis (Celery\'s URL is composed from redisAddressKey, the database index and TLS, as KEDA reads them)', props.urlKey);
      }
      checkSecretKey(OWNER, 'secretName', this.secretName, 'redisAddressKey', this.redisAddressKey);
      if (this.redisPasswordKey !== undefined) checkSecretKey(OWNER, 'secretName', this.secretName, 'redisPasswordKey', this.redisPasswordKey);
      if (this.redisUsernameKey !== undefined) checkSecretKey(OWNER, 'secretName', this.secretName, 'redisUsernameKey', this.redisUsernameKey);
      checkInteger(OWNER, 'redisDatabaseIndex', this.redisDatabaseIndex, 0, 255);
      const keys = [this.redisAddressKey, this.redisUsernameKey, this.redisPasswordKey].filter((k): k is string => k !== undefined);
      this.secretKeys = keys.map((key) => ({ secretName: this.secretName, key }));
    }
  }

  /**
   * The broker connection for Celery. RabbitMQ: `CELERY_BROKER_URL` from the Secret. Redis:
   * `CELERY_BROKER_ADDRESS` (and `CELERY_BROKER_USER`, `CELERY_BROKER_PASSWORD`) from the Secret, and
   * `CELERY_BROKER_URL` = `redis[s]://$(CELERY_BROKER_ADDRESS)/<db>`, which the kubelet expands; the
   * app passes the user and password as `broker_user` and `broker_password`, so a password needs no
   * URL escaping.
   */
  public renderEnv(): k8s.EnvVar[] {
    if (this.kind === BrokerKind.RABBITMQ) return [secretVar(BROKER_ENV.url, this.secretName, this.urlKey)];
    const scheme = this.transportSecurity === BrokerTransportSecurity.TLS ? 'rediss' : 'redis';
    return [
      secretVar(BROKER_ENV.redisAddress, this.secretName, this.redisAddressKey),
      ...(this.redisUsernameKey ? [secretVar(BROKER_ENV.redisUser, this.secretName, this.redisUsernameKey)] : []),
      ...(this.redisPasswordKey ? [secretVar(BROKER_ENV.redisPassword, this.secretName, this.redisPasswordKey)] : []),
      { name: BROKER_ENV.url, value: `${scheme}://$(${BROKER_ENV.redisAddress})/${this.redisDatabaseIndex}` },
    ];
  }

  /** The TriggerAuthentication parameters of KEDA's scaler, from the same keys Celery reads. @internal */
  public _kedaSecretParameters(): KedaSecretParameter[] {
    if (this.kind === BrokerKind.RABBITMQ) return [{ parameter: 'host', key: this.urlKey }];
    return [
      { parameter: 'address', key: this.redisAddressKey },
      ...(this.redisUsernameKey ? [{ parameter: 'username', key: this.redisUsernameKey }] : []),
      ...(this.redisPasswordKey ? [{ parameter: 'password', key: this.redisPasswordKey }] : []),
    ];
  }

  /** The trigger metadata of KEDA's scaler for one queue, `target` waiting tasks per replica. @internal */
  public _kedaMetadata(queue: string, target: number): { [key: string]: string } {
    if (this.kind === BrokerKind.RABBITMQ) return { protocol: 'amqp', queueName: queue, mode: 'QueueLength', value: String(target) };
    return {
      listName: queue,
      listLength: String(target),
      databaseIndex: String(this.redisDatabaseIndex),
      ...(this.transportSecurity === BrokerTransportSecurity.TLS ? { enableTLS: 'true' } : {}),
    };
  }
}
