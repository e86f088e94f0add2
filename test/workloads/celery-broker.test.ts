import { BrokerKind, BrokerTransportSecurity, CeleryBroker, CeleryBrokerProps, CeleryWorkerPool, QueuePriority } from '../../src';
import { container, find, newChart, objects, settings, small } from '../support/synth';

/** What a broker description renders: the workers' env and the KEDA objects, from one pool with one queue. */
function render(props: CeleryBrokerProps) {
  const chart = newChart();
  new CeleryWorkerPool(chart, 'workers', {
    appName: 'shop',
    image: 'registry.example.com/shop/api',
    tag: '1',
    settings: settings(),
    celeryApp: 'shop.celery',
    broker: new CeleryBroker(props),
    queues: [{ name: 'reports', priority: QueuePriority.LOW, resources: small }],
  });
  const all = objects(chart);
  const env = container(find(all, 'Deployment', 'worker-reports')).env.filter((e: any) => e.name.startsWith('CELERY_BROKER_'));
  return { env, trigger: find(all, 'ScaledObject', 'worker-reports').spec.triggers[0], auth: find(all, 'TriggerAuthentication', 'worker-broker').spec.secretTargetRef };
}

describe('GIVEN a Redis broker', () => {
  test('WHEN it has a database index, TLS, a user and a password THEN Celery and KEDA read the same address, database, TLS and credentials', () => {
    const { env, trigger, auth } = render({
      kind: BrokerKind.REDIS,
      secretName: 'shop-redis',
      redisPasswordKey: 'password',
      redisUsernameKey: 'username',
      redisDatabaseIndex: 2,
      transportSecurity: BrokerTransportSecurity.TLS,
    });
    expect(env).toEqual([
      { name: 'CELERY_BROKER_ADDRESS', valueFrom: { secretKeyRef: { name: 'shop-redis', key: 'redis-address' } } },
      { name: 'CELERY_BROKER_USER', valueFrom: { secretKeyRef: { name: 'shop-redis', key: 'username' } } },
      { name: 'CELERY_BROKER_PASSWORD', valueFrom: { secretKeyRef: { name: 'shop-redis', key: 'password' } } },
      // The kubelet expands $(CELERY_BROKER_ADDRESS): it is defined above.
      { name: 'CELERY_BROKER_URL', value: 'rediss://$(CELERY_BROKER_ADDRESS)/2' },
      { name: 'CELERY_BROKER_VISIBILITY_TIMEOUT', value: '600' },
    ]);
    expect(trigger).toEqual({
      type: 'redis',
      metadata: { listName: 'reports', listLength: '10', databaseIndex: '2', enableTLS: 'true' },
      authenticationRef: { name: 'worker-broker' },
    });
    expect(auth).toEqual([
      { parameter: 'address', name: 'shop-redis', key: 'redis-address' },
      { parameter: 'username', name: 'shop-redis', key: 'username' },
      { parameter: 'password', name: 'shop-redis', key: 'password' },
    ]);
  });

  test('WHEN it is plain, database 0, no credentials THEN the URL is redis:// on database 0 and KEDA reads database 0', () => {
    const { env, trigger, auth } = render({ kind: BrokerKind.REDIS, secretName: 'b' });
    expect(env.find((e: any) => e.name === 'CELERY_BROKER_URL')).toEqual({ name: 'CELERY_BROKER_URL', value: 'redis://$(CELERY_BROKER_ADDRESS)/0' });
    expect(trigger.metadata).toEqual({ listName: 'reports', listLength: '10', databaseIndex: '0' });
    expect(auth).toEqual([{ parameter: 'address', name: 'b', key: 'redis-address' }]);
    expect(new CeleryBroker({ kind: BrokerKind.REDIS, secretName: 'b' }).secretKeys).toEqual([{ secretName: 'b', key: 'redis-address' }]);
  });
});

describe('GIVEN a RabbitMQ broker', () => {
  test('THEN Celery and KEDA read the one AMQP URL, whose vhost and amqps:// scheme both honour', () => {
    const { env, trigger, auth } = render({ kind: BrokerKind.RABBITMQ, secretName: 'shop-amqp' });
    expect(env).toEqual([{ name: 'CELERY_BROKER_URL', valueFrom: { secretKeyRef: { name: 'shop-amqp', key: 'broker-url' } } }]);
    expect(trigger.metadata).toEqual({ protocol: 'amqp', queueName: 'reports', mode: 'QueueLength', value: '10' });
    expect(auth).toEqual([{ parameter: 'host', name: 'shop-amqp', key: 'broker-url' }]);
  });
});

describe('GIVEN a broker description that cannot work', () => {
  test.each([
    [{ kind: 'Redis', secretName: 'b' }, /CeleryBroker: kind must be one of "rabbitmq", "redis"; got "Redis"/],
    [{ secretName: 'b' }, /CeleryBroker: kind must be one of "rabbitmq", "redis"; got undefined/],
    [{ kind: BrokerKind.RABBITMQ, secretName: 'b', redisDatabaseIndex: 2 }, /CeleryBroker: redisDatabaseIndex must be left out for RabbitMQ \(its URL names the vhost/],
    [{ kind: BrokerKind.RABBITMQ, secretName: 'b', transportSecurity: BrokerTransportSecurity.TLS }, /transportSecurity must be left out for RabbitMQ/],
    [{ kind: BrokerKind.REDIS, secretName: 'b', urlKey: 'broker-url' }, /CeleryBroker: urlKey must be left out for Redis/],
    [{ kind: BrokerKind.REDIS, secretName: 'b', redisDatabaseIndex: -1 }, /redisDatabaseIndex must be an integer from 0 to 255; got -1/],
    [{ kind: BrokerKind.REDIS, secretName: 'b', transportSecurity: 'ssl' }, /transportSecurity must be one of "plain", "tls"; got "ssl"/],
    [{ kind: BrokerKind.REDIS, secretName: '' }, /CeleryBroker: secretName must be the name of an existing Secret/],
  ])('WHEN given %j THEN it fails, naming the prop', (props, message) => {
    expect(() => new CeleryBroker(props as any)).toThrow(message);
  });
});
