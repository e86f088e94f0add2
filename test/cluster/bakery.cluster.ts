// The bakery compose fixture (test/compose/fixtures/bakery: gunicorn, a Celery worker on two queues,
// beat, a one-shot migrate, PostgreSQL, Redis, S3 buckets, `build: .`) imported, pointed at the test
// hosts, rendered and applied on the real nodes (compose-import.ts says how); its image is
// hack/images/defs/bakery-web.sh.
import { describeComposeFixture } from './compose-import';

describeComposeFixture({
  fixture: 'bakery',
  databaseUrlVariable: 'BAKERY_DATABASE_URL',
  bucketsVariable: 'BAKERY_S3_BUCKETS',
  // MIGRATION.md's "Secrets to create"; the app sends no mail, no Sentry event and no payment, so those
  // keys hold values that reach nothing.
  secretValues: (h) => ({
    'bakery-app/database-url': h.databaseUrl,
    'bakery-app/secret-key': `bakery-suite-${Date.now()}-not-a-real-secret`,
    'bakery-app/email-host-password': 'not-used-by-the-suite',
    'bakery-app/sentry-dsn': '',
    'bakery-app/stripe-api-key': 'not-used-by-the-suite',
    'bakery-app/s3-access-key': h.s3AccessKey,
    'bakery-app/s3-secret-key': h.s3SecretKey,
    'bakery-broker/redis-address': h.redisAddress,
  }),
  jobs: ['collectstatic', 'migrate'],
  // The compose healthcheck's path, now the readiness probe's.
  healthPath: '/health/',
  // The loaves the fixture's migration writes (bakery/migrations/0001_initial.py), as /loaves/ lists them.
  page: { path: '/loaves/', body: 'baguette 1.30\nbrioche 4.20\nsourdough 5.60\n' },
  staticFile: { url: 'bakery/site.css', source: 'bakery/static/bakery/site.css' },
});
