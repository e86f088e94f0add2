// A team's deploy repository for "shop", written against the public API only: a Django backend
// behind an nginx edge (no frontend), a websocket service (Django Channels under uvicorn) on `/ws/`,
// a Redis broker, two Celery queues, beat, Flower on `/flower/` behind basic auth, plain `manage.py migrate` and a nightly
// `manage.py clearsessions`. Picvario is not involved.
// Each environment's release is pinned in releases.json, which CI moves with `k8s-topology release`.
import * as path from 'path';
import {
  BrokerKind, ComponentGroup, DeliveryApp, DjangoAppChart, DjangoAppChartProps, PreviewEnvironment, QueuePriority, ReleasePin, ReleasePins,
} from '@picvario/k8s-topology';

const web = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const small = { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

interface Environment {
  readonly name: string;
  readonly replicas: [number, number];
  /** The data-centre network of the environment, where PostgreSQL and Redis run. */
  readonly network: string;
}

const ENVIRONMENTS: Environment[] = [
  { name: 'staging', replicas: [2, 4], network: '10.61' },
  { name: 'production', replicas: [3, 10], network: '10.60' },
];

/** The release of each environment (its version and, when pinned, image tag). */
const RELEASES = path.join(__dirname, 'releases.json');

/** Pull requests are previewed at pr-<n>.preview.shop.example.com, from staging's chart and release. */
const PREVIEW_DOMAIN = 'preview.shop.example.com';
const PREVIEW_BASE = 'staging';

function shop(env: Environment, release: ReleasePin): DjangoAppChartProps {
  return {
    ...release,
    appName: 'shop',
    instance: `shop-${env.name}`,
    namespace: `shop-${env.name}`,
    image: 'registry.example.com/shop/api',
    celeryApp: 'shop.celery',
    settings: {
      settingsModule: 'shop.settings.production',
      secretName: 'shop-app',
      mediaBucket: `shop-${env.name}-media`,
      staticBucket: `shop-${env.name}-static`,
      s3Region: 'eu-west-1',
    },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: web, minReplicas: env.replicas[0], maxReplicas: env.replicas[1], application: 'shop.wsgi:application' },
    // Order-status updates reach the browser over a websocket: Channels consumers under uvicorn, beside gunicorn.
    webServices: [
      { name: 'ws', pathPrefixes: ['/ws/'], application: 'shop.asgi:application', resources: web, minReplicas: 2, maxReplicas: 4 },
    ],
    workers: {
      queues: [
        { name: 'default', priority: QueuePriority.NORMAL, taskTimeLimitSeconds: 300, resources: web },
        { name: 'reports', priority: QueuePriority.LOW, taskTimeLimitSeconds: 3600, minReplicas: 0, maxReplicas: 3, resources: web },
      ],
    },
    beat: { resources: small },
    // The Celery dashboard for the on-call team; its `user:password` pairs live in the shop-flower Secret.
    flower: { resources: small, basicAuth: { secretName: 'shop-flower', key: 'basic-auth' } },
    migrations: { resources: web, steps: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }] },
    // Expired sessions pile up in the database; Django leaves their removal to a scheduled command.
    cronJobs: [
      { name: 'clearsessions', schedule: '15 3 * * *', timeZone: 'Europe/Dublin', command: ['python', 'manage.py', 'clearsessions'], resources: small, activeDeadlineSeconds: 900 },
    ],
    edge: {
      host: env.name === 'production' ? 'shop.example.com' : `${env.name}.shop.example.com`,
      ingressNamespace: 'ingress-nginx',
      resources: small,
      minReplicas: 2,
      maxReplicas: 4,
    },
    externalServices: [
      { name: 'postgres', cidrs: [`${env.network}.1.0/24`], ports: [5432] },
      { name: 'redis', cidrs: [`${env.network}.2.0/24`], ports: [6379], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.FLOWER] },
      { name: 's3', cidrs: ['52.218.0.0/17'], ports: [443], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
    ],
  };
}

/**
 * The shop render: one folder per environment, at the release pinned for it, and the Argo CD folder
 * that syncs them (with the ApplicationSet of the previews). The render fails when an environment has
 * no pin or a pin names no environment. Under `k8s-topology preview render --pr <n>` it renders only
 * that pull request's preview, `pr-<n>`, derived from staging.
 */
export function shopApp(outdir?: string, releases: string = RELEASES): DeliveryApp {
  const pins = ReleasePins.fromFile(releases);
  const preview = PreviewEnvironment.fromEnvironment(PREVIEW_DOMAIN);
  if (preview) {
    const base = ENVIRONMENTS.find((env) => env.name === PREVIEW_BASE)!;
    const app = new DeliveryApp({ outdir });
    new DjangoAppChart(app, preview.folder, preview.chartProps(shop(base, pins.of(base.name))));
    return app;
  }
  const app = new DeliveryApp({ outdir, releasePins: pins, argoCd: { repoUrl: 'https://git.example.com/shop/deploy.git', previews: {} } });
  for (const env of ENVIRONMENTS) new DjangoAppChart(app, env.name, shop(env, pins.of(env.name)));
  return app;
}
