// The newsroom compose fixture (test/compose/fixtures/newsroom: Django on ASGI, uvicorn for the API and
// daphne for the live feed, Celery on a Redis with a password, a Nuxt frontend, a GPU worker, and most of
// compose's syntax) imported, pointed at the test hosts, rendered and applied on the real nodes
// (compose-import.ts says how); its images are hack/images/defs/newsroom-site.sh and newsroom-web.sh.
//
// What it proves beyond the other fixtures: an ASGI backend (uvicorn) and a second web service (daphne)
// from one image; a Redis broker and cache with a password (the second Redis test host), which Celery and
// the readiness check reach with the password the chart passes beside the URL; the frontend behind the
// edge; the workers' nodeSelector from compose's placement constraint (the suite labels the nodes, as
// MIGRATION.md asks); and the transcode worker's GPU queue, which waits for a node of the gpu pool: the
// suite's nodes have none, so its pod must stay Pending for that reason and nothing else.
import { readFileSync } from 'fs';
import * as path from 'path';
import { describeComposeFixture } from './compose-import';

const FIXTURE = path.resolve(__dirname, '../compose/fixtures/newsroom');

describeComposeFixture({
  fixture: 'newsroom',
  databaseUrlVariable: 'NEWSROOM_DATABASE_URL',
  bucketsVariable: 'NEWSROOM_S3_BUCKETS',
  redis: { addressVariable: 'NEWSROOM_REDIS_ADDRESS', passwordVariable: 'NEWSROOM_REDIS_PASSWORD' },
  // MIGRATION.md's "Secrets to create", and the S3 keys the test hosts' edit adds. The suite has no
  // Meilisearch and no CDN: the app never calls either, so those keys hold values that reach nothing.
  secretValues: (h) => ({
    'newsroom-app/cdn-host': 'cdn.newsroom.example.com',
    'newsroom-app/database-url': h.databaseUrl,
    'newsroom-app/redis-url': `redis://:${h.redisPassword}@${h.redisAddress}/3`,
    'newsroom-app/search-api-token': 'not-used-by-the-suite',
    'newsroom-app/search-url': 'http://search.invalid:7700',
    'newsroom-app/secret-key': `newsroom-suite-${Date.now()}-not-a-real-secret`,
    'newsroom-app/sentry-dsn': '',
    'newsroom-app/s3-access-key': h.s3AccessKey,
    'newsroom-app/s3-secret-key': h.s3SecretKey,
    'newsroom-broker/redis-address': h.redisAddress,
    'newsroom-broker/redis-password': h.redisPassword!,
    'newsroom-frontend/nuxt-session-password': `newsroom-suite-session-${Date.now()}-0123456789abcdef`,
    'newsroom-payments-key/payments-key': readFileSync(path.join(FIXTURE, 'secrets/payments.pem'), 'utf8'),
  }),
  // MIGRATION.md: `kubectl create configmap newsroom-robots --from-file=robots=./config/robots.txt`.
  configMaps: { 'newsroom-robots': { robots: 'config/robots.txt' } },
  // compose: deploy.placement.constraints [node.labels.tier == workers].
  nodeLabels: { tier: 'workers' },
  // transcode (`runtime: nvidia`, `gpus: all`): the gpu node pool, which the suite's nodes are not.
  // (The scheduler names the first filter that fails: the nodes lack the pool's label before the GPU.)
  unschedulable: { 'worker-video': /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\./ },
  jobs: ['collectstatic', 'migrate'],
  // compose's healthcheck path, the kit's readiness view in the fixture's urls.py.
  healthPath: '/api/health',
  // The headlines the fixture's migration writes (newsroom/articles/migrations/0001_initial.py).
  page: { path: '/api/headlines/', body: 'Bridge reopens after repairs 0\nCouncil approves new park 0\nLocal team wins the cup 0\n' },
  staticFile: { url: 'articles/newsroom.css', source: 'newsroom/articles/static/articles/newsroom.css' },
  frontendPage: { path: '/', contains: 'The Newsroom' },
  // The live feed's websocket (newsroom/asgi.py), on the route the import gives live (its placeholder /ws/).
  websocket: { path: '/ws/live/', deployment: 'live' },
  // The default queue's worker (worker-celery) takes it from the Redis with a password and writes to PostgreSQL.
  task: {
    send: 'from newsroom.articles.tasks import count_view; count_view.delay("Bridge reopens after repairs", 5)',
    page: { path: '/api/headlines/', body: 'Bridge reopens after repairs 5\nCouncil approves new park 0\nLocal team wins the cup 0\n' },
  },
});
