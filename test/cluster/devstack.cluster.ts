// The devstack compose fixture (test/compose/fixtures/devstack: a developer's compose file, runserver with
// the source mounted, a Celery worker with embedded beat on a gevent pool, MariaDB, RabbitMQ, MailHog)
// imported, pointed at the test hosts, rendered and applied on the real nodes (compose-import.ts says how);
// its image is hack/images/defs/devstack-django.sh.
//
// What it proves beyond the bakery and recipes: an app on MySQL's protocol (the MariaDB test host; the kit's
// configure() reads its mysql:// URL into Django's MySQL backend, PyMySQL as the driver) and on RabbitMQ
// (its own vhost), migrated by the migrate Job the import adds, with the worker's gevent pool and the beat
// that compose ran inside the worker (-B) as a Deployment of its own.
import { describeComposeFixture } from './compose-import';

describeComposeFixture({
  fixture: 'devstack',
  databaseUrlVariable: 'DEVSTACK_DATABASE_URL',
  bucketsVariable: 'DEVSTACK_S3_BUCKETS',
  brokerUrlVariable: 'DEVSTACK_BROKER_URL',
  // MIGRATION.md's "Secrets to create", and the S3 keys the test hosts' edit adds (the shop's settings
  // leave them to boto3's environment).
  secretValues: (h) => ({
    'devstack-app/database-url': h.databaseUrl,
    'devstack-app/secret-key': `devstack-suite-${Date.now()}-not-a-real-secret`,
    'devstack-app/s3-access-key': h.s3AccessKey,
    'devstack-app/s3-secret-key': h.s3SecretKey,
    'devstack-broker/broker-url': h.brokerUrl!,
  }),
  jobs: ['collectstatic', 'migrate'],
  // No compose healthcheck: the kit's readiness path, which the render probes.
  healthPath: '/healthz/ready',
  // The products the fixture's migration writes (catalog/migrations/0001_initial.py).
  page: { path: '/products/', body: 'MUG-01 enamel mug 40\nTEE-02 cotton tee 25\nTOTE-03 canvas tote 60\n' },
  staticFile: { url: 'catalog/shop.css', source: 'catalog/static/catalog/shop.css' },
  // The worker (gevent pool) takes it from the RabbitMQ vhost and writes to MariaDB.
  task: {
    send: 'from catalog.tasks import restock; restock.delay("MUG-01", 5)',
    page: { path: '/products/', body: 'MUG-01 enamel mug 45\nTEE-02 cotton tee 25\nTOTE-03 canvas tote 60\n' },
  },
});
