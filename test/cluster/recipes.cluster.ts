// The recipes compose fixture (test/compose/fixtures/recipes: a cookiecutter-django-style project whose
// processes start through scripts its Dockerfile copies, /start for gunicorn and collectstatic,
// /start-celeryworker, /start-celerybeat, /start-flower; a PostgreSQL and an nginx built FROM the
// product; no service runs the migrations) imported, pointed at the test hosts, rendered and applied on
// the real nodes (compose-import.ts says how); its image is hack/images/defs/recipes-django.sh.
//
// What it proves beyond the bakery: the import follows the start scripts to the commands the pods run,
// the app reads the DATABASE_URL the chart gives it (compose's /entrypoint built it from POSTGRES_*, and
// the render does not run /entrypoint), and the migrate Job the import adds runs the migrations that
// compose left to a person, and /start-flower becomes the chart's Flower behind the edge's basic auth.
import { describeComposeFixture } from './compose-import';

const FLOWER_CREDENTIALS = `recipes-ops:suite-${Date.now()}`;

describeComposeFixture({
  fixture: 'recipes',
  databaseUrlVariable: 'RECIPES_DATABASE_URL',
  bucketsVariable: 'RECIPES_S3_BUCKETS',
  // MIGRATION.md's "Secrets to create". The settings read the S3 keys from DJANGO_AWS_*, as
  // cookiecutter-django's do. The POSTGRES_* keys were /entrypoint's, which no pod runs now, and
  // CELERY_FLOWER_PASSWORD was /start-flower's (the chart's Flower reads flower-basic-auth); mail and
  // Sentry are not in the suite, so those keys hold values that reach nothing.
  secretValues: (h) => ({
    'recipes-app/database-url': h.databaseUrl,
    'recipes-app/secret-key': `recipes-suite-${Date.now()}-not-a-real-secret`,
    'recipes-app/django-aws-access-key-id': h.s3AccessKey,
    'recipes-app/django-aws-secret-access-key': h.s3SecretKey,
    'recipes-app/redis-url': `redis://${h.redisAddress}/3`,
    'recipes-app/postgres-host': new URL(h.databaseUrl).hostname,
    'recipes-app/postgres-password': 'not-used-by-the-suite',
    'recipes-app/celery-flower-password': 'not-used-by-the-suite',
    'recipes-app/flower-basic-auth': FLOWER_CREDENTIALS,
    'recipes-app/mailgun-api-key': 'not-used-by-the-suite',
    'recipes-app/sentry-dsn': '',
    'recipes-broker/redis-address': h.redisAddress,
  }),
  jobs: ['collectstatic', 'migrate'],
  // No compose healthcheck: the kit's readiness path, which the render probes.
  healthPath: '/healthz/ready',
  // The recipes the fixture's migration writes (recipes/cookbook/migrations/0001_initial.py).
  page: { path: '/recipes/', body: 'pancakes 20 min\nratatouille 75 min\nshakshuka 35 min\n' },
  staticFile: { url: 'css/project.css', source: 'recipes/static/css/project.css' },
  flower: { credentials: FLOWER_CREDENTIALS },
});
