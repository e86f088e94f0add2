// The mediahub compose fixture (test/compose/fixtures/mediahub: Picvario's shape, 26 services: Django on
// django-tenants behind gunicorn, Celery on RabbitMQ with seven queues, one of them on a GPU, beat on
// django-celery-beat's database scheduler, Flower, a Nuxt frontend, and Elasticsearch, Logstash, Tika,
// ClamAV and imgproxy beside them) imported, pointed at the test hosts, rendered and applied on the real
// nodes (compose-import.ts says how); its images are hack/images/defs/mediahub-backend.sh and
// mediahub-frontend.sh.
//
// What it proves beyond the other fixtures: the migrate Job's two steps, `migrate_schemas --shared` then
// `--tenant`, make the public schema and a customer's (acme); the edge passes the customer's host to
// Django, which answers from that customer's schema; a task sent to the RabbitMQ vhost is run by the
// default queue's worker in that schema; six queues' workers, beat and Flower run from one image; and the
// face-recognition queue waits for a node of the gpu pool, which the suite's nodes are not. Its compose
// sizes do not fit two nodes on a 2-core machine: the requests are the suite's (test-hosts.ts).
import { describeComposeFixture } from './compose-import';

const FLOWER_CREDENTIALS = `mediahub-ops:suite-${Date.now()}`;
/** Services the suite does not run: their keys hold values that reach nothing, and the app never calls them. */
const NOT_IN_THE_SUITE = 'not-used-by-the-suite';

describeComposeFixture({
  fixture: 'mediahub',
  databaseUrlVariable: 'MEDIAHUB_DATABASE_URL',
  bucketsVariable: 'MEDIAHUB_S3_BUCKETS',
  brokerUrlVariable: 'MEDIAHUB_BROKER_URL',
  // MIGRATION.md's "Secrets to create": its env_file's secrets and the addresses of the services that now
  // run outside the app. The cache and Celery's results are databases 4 and 5 of the Redis test host.
  secretValues: (h) => ({
    'mediahub-app/secret-key': `mediahub-suite-${Date.now()}-not-a-real-secret`,
    'mediahub-app/database-url': h.databaseUrl,
    'mediahub-app/aws-access-key-id': h.s3AccessKey,
    'mediahub-app/aws-secret-access-key': h.s3SecretKey,
    'mediahub-app/cache-url': `redis://${h.redisAddress}/4`,
    'mediahub-app/celery-result-backend': `redis://${h.redisAddress}/5`,
    'mediahub-app/flower-basic-auth': FLOWER_CREDENTIALS,
    'mediahub-app/clamav-host': 'clamav.invalid',
    'mediahub-app/elasticsearch-url': 'http://elasticsearch.invalid:9200',
    'mediahub-app/email-host-password': NOT_IN_THE_SUITE,
    'mediahub-app/imgproxy-url': 'http://imgproxy.invalid:8080',
    'mediahub-app/sentry-dsn': '',
    'mediahub-app/stats-shipper-url': 'http://logstash.invalid:8080',
    'mediahub-app/tika-url': 'http://tika.invalid:9998',
    'mediahub-broker/broker-url': h.brokerUrl!,
    'mediahub-frontend/nuxt-public-sentry-dsn': '',
  }),
  // worker-face (`driver: nvidia` in its device reservations): the gpu node pool, which the suite's nodes
  // are not. (The scheduler names the first filter that fails: the nodes lack the pool's label before the GPU.)
  unschedulable: { 'worker-face-recognition': /^0\/2 nodes are available: 2 node\(s\) didn't match Pod's node affinity\/selector\./ },
  jobs: ['collectstatic', 'migrate'],
  // acme, the customer the fixture's tenants migration adds (backend/mediahub/tenants/migrations/0002).
  host: 'acme.mediahub.example.com',
  // The readiness checks under /api/, where the edge sends requests to Django (compose's /health/ready/
  // is the probes' path; the edge sends it to the frontend, as compose's nginx did).
  healthPath: '/api/health/',
  // The sample assets the tenant migration wrote into acme's schema (backend/mediahub/assets/migrations/0001).
  page: { path: '/api/assets/', body: 'acme: harbour-at-dawn.jpg 0\nacme: lighthouse.tif 0\nacme: team-offsite.mp4 0\n' },
  staticFile: { url: 'assets/mediahub.css', source: 'backend/mediahub/assets/static/assets/mediahub.css' },
  frontendPage: { path: '/', contains: 'Every photo, video and document of your team' },
  flower: { credentials: FLOWER_CREDENTIALS },
  // The default queue's worker takes it from the RabbitMQ vhost and writes to acme's schema.
  task: {
    send: 'from mediahub.assets.tasks import count_downloads; count_downloads.delay("acme", "lighthouse.tif", 4)',
    page: { path: '/api/assets/', body: 'acme: harbour-at-dawn.jpg 0\nacme: lighthouse.tif 4\nacme: team-offsite.mp4 0\n' },
  },
});
