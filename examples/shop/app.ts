// A team's deploy repository for "shop", written against the public API only: a Django backend
// behind an nginx edge (no frontend), a websocket service (Django Channels under uvicorn) on `/ws/`,
// a Redis broker, two Celery queues, beat, Flower on `/flower/` behind basic auth, plain `manage.py migrate`,
// `manage.py collectstatic` into the statics bucket, and a nightly `manage.py clearsessions`. Picvario is not involved.
// Each environment's release is pinned in releases.json, which CI moves with `k8s-topology release`.
import * as path from 'path';
import {
  BrokerKind, ComponentGroup, DeliveryApp, DjangoAppChart, DjangoAppChartProps, PreviewEnvironment, QueuePriority, ReleasePin, ReleasePins,
} from '@picvario/k8s-topology';

interface Sizes {
  readonly cpuRequest: string;
  readonly cpuLimit: string;
  readonly memoryRequest: string;
  readonly memoryLimit: string;
}

const web: Sizes = { cpuRequest: '250m', cpuLimit: '1', memoryRequest: '512Mi', memoryLimit: '1Gi' };
const small: Sizes = { cpuRequest: '50m', cpuLimit: '250m', memoryRequest: '128Mi', memoryLimit: '256Mi' };

/** An address range and the ports the shop's pods may open to it. */
interface ExternalHost {
  readonly cidr: string;
  readonly port: number;
}

interface Environment {
  readonly name: string;
  /** The backend's autoscaling range. */
  readonly replicas: [number, number];
  /** The autoscaling range of ws and of the edge. */
  readonly frontReplicas: [number, number];
  readonly postgres: ExternalHost;
  readonly redis: ExternalHost;
  /** AWS S3 (its eu-west-1 range on 443) unless an S3-compatible endpoint is named. */
  readonly s3: ExternalHost & { readonly endpoint?: string };
  readonly web: Sizes;
  readonly small: Sizes;
  /**
   * Each queue's task time limit. The render sets Redis's visibility timeout to twice the longest, and a
   * killed worker's task runs again only once that has passed.
   */
  readonly taskTimeLimitSeconds: { readonly default: number; readonly reports: number };
  /**
   * How long each queue's workers stay after its last task before KEDA scales them down.
   * @default - the chart's (300 s)
   */
  readonly queueCooldownSeconds?: number;
}

/** An environment in a data-centre network (`10.61`): PostgreSQL in its `.1.0/24`, Redis in its `.2.0/24`, AWS S3. */
function dataCentre(name: string, replicas: [number, number], network: string): Environment {
  return {
    name,
    replicas,
    frontReplicas: [2, 4],
    postgres: { cidr: `${network}.1.0/24`, port: 5432 },
    redis: { cidr: `${network}.2.0/24`, port: 6379 },
    s3: { cidr: '52.218.0.0/17', port: 443 },
    web,
    small,
    taskTimeLimitSeconds: { default: 300, reports: 3600 },
  };
}

const ENVIRONMENTS: Environment[] = [dataCentre('staging', [2, 4], '10.61'), dataCentre('production', [3, 10], '10.60')];

/**
 * The environment the cluster suites run on a small test cluster (two nodes, one per zone, on a
 * 2-core machine): two replicas of each web component and no more (one per node, so that a drain
 * and a rollout are survived by a replica on the other node, under budgets that keep one
 * available; a fixed size so that the HPAs cannot change the picture mid-test), smaller requests,
 * a 20 s queue cooldown (so that the suite sees KEDA take an idle queue's workers back to 0 within
 * its time budget), and its external services on test hosts
 * that the suite creates in 203.0.113.0/24 (RFC 5737): PostgreSQL on .10, Redis on .11, an
 * S3-compatible server on .12:7070. Same code as staging and production; only these values differ.
 */
export const SUITE_ENVIRONMENT: Environment = {
  name: 'e2e',
  replicas: [2, 2],
  frontReplicas: [2, 2],
  postgres: { cidr: '203.0.113.10/32', port: 5432 },
  redis: { cidr: '203.0.113.11/32', port: 6379 },
  s3: { cidr: '203.0.113.12/32', port: 7070, endpoint: 'http://203.0.113.12:7070' },
  web: { cpuRequest: '50m', cpuLimit: '1', memoryRequest: '160Mi', memoryLimit: '512Mi' },
  small: { cpuRequest: '20m', cpuLimit: '250m', memoryRequest: '64Mi', memoryLimit: '256Mi' },
  // Short limits, so that the visibility timeout is 40 s: the suite's "no task lost" test waits for a
  // force-deleted worker's tasks to come back within a minute, not within the two hours of staging's.
  taskTimeLimitSeconds: { default: 20, reports: 20 },
  queueCooldownSeconds: 20,
};

/** The release of each environment (its version and, when pinned, image tag). */
const RELEASES = path.join(__dirname, 'releases.json');

/** Pull requests are previewed at pr-<n>.preview.shop.example.com, from staging's chart and release. */
const PREVIEW_DOMAIN = 'preview.shop.example.com';
const PREVIEW_BASE = 'staging';

function shop(env: Environment, release: ReleasePin): DjangoAppChartProps {
  const cooldown = env.queueCooldownSeconds === undefined ? {} : { cooldownPeriodSeconds: env.queueCooldownSeconds };
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
      // AWS grants the pods S3 through their ServiceAccount's role; an S3-compatible server takes
      // an access key, from the settings Secret.
      ...(env.s3.endpoint ? {
        s3Endpoint: env.s3.endpoint,
        secretEnv: [
          { name: 'AWS_ACCESS_KEY_ID', secretName: 'shop-app', key: 's3-access-key' },
          { name: 'AWS_SECRET_ACCESS_KEY', secretName: 'shop-app', key: 's3-secret-key' },
        ],
      } : {}),
    },
    broker: { kind: BrokerKind.REDIS, secretName: 'shop-broker' },
    backend: { resources: env.web, minReplicas: env.replicas[0], maxReplicas: env.replicas[1], application: 'shop.wsgi:application' },
    // Order-status updates reach the browser over a websocket: Channels consumers under uvicorn, beside gunicorn.
    webServices: [
      { name: 'ws', pathPrefixes: ['/ws/'], application: 'shop.asgi:application', resources: env.web, minReplicas: env.frontReplicas[0], maxReplicas: env.frontReplicas[1] },
    ],
    workers: {
      queues: [
        { name: 'default', priority: QueuePriority.NORMAL, taskTimeLimitSeconds: env.taskTimeLimitSeconds.default, resources: env.web, ...cooldown },
        { name: 'reports', priority: QueuePriority.LOW, taskTimeLimitSeconds: env.taskTimeLimitSeconds.reports, minReplicas: 0, maxReplicas: 3, resources: env.web, ...cooldown },
      ],
    },
    beat: { resources: env.small },
    // The Celery dashboard for the on-call team; its `user:password` pairs live in the shop-flower Secret.
    flower: { resources: env.small, basicAuth: { secretName: 'shop-flower', key: 'basic-auth' } },
    migrations: { resources: env.web, steps: [{ name: 'migrate', command: ['python', 'manage.py', 'migrate', '--noinput'] }] },
    // The release's statics (the admin's, today) go to the statics bucket, which the edge serves on /static/.
    collectStatic: { resources: env.small },
    // Expired sessions pile up in the database; Django leaves their removal to a scheduled command.
    cronJobs: [
      { name: 'clearsessions', schedule: '15 3 * * *', timeZone: 'Europe/Dublin', command: ['python', 'manage.py', 'clearsessions'], resources: env.small, activeDeadlineSeconds: 900 },
    ],
    edge: {
      host: env.name === 'production' ? 'shop.example.com' : `${env.name}.shop.example.com`,
      ingressNamespace: 'ingress-nginx',
      resources: env.small,
      minReplicas: env.frontReplicas[0],
      maxReplicas: env.frontReplicas[1],
    },
    externalServices: [
      { name: 'postgres', cidrs: [env.postgres.cidr], ports: [env.postgres.port] },
      { name: 'redis', cidrs: [env.redis.cidr], ports: [env.redis.port], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.FLOWER] },
      { name: 's3', cidrs: [env.s3.cidr], ports: [env.s3.port], reachedBy: [ComponentGroup.APP_CODE, ComponentGroup.EDGE] },
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
    return previewApp(preview, base, pins.of(base.name), outdir);
  }
  const app = new DeliveryApp({ outdir, releasePins: pins, argoCd: { repoUrl: 'https://git.example.com/shop/deploy.git', previews: {} } });
  for (const env of ENVIRONMENTS) new DjangoAppChart(app, env.name, shop(env, pins.of(env.name)));
  return app;
}

/** A pull request's preview alone: the chart PreviewEnvironment derives from an environment's, and no Argo CD folder. */
function previewApp(preview: PreviewEnvironment, base: Environment, release: ReleasePin, outdir?: string): DeliveryApp {
  const app = new DeliveryApp({ outdir });
  new DjangoAppChart(app, preview.folder, preview.chartProps(shop(base, release)));
  return app;
}

/** What the cluster suite changes in the suite environment's render; every change is a prop of the shop's own code. */
export interface SuiteRenderOptions {
  /**
   * The Git repository Argo CD reads the rendered branch from. The render then has the Argo CD
   * folder that syncs it, made as the shop's own render makes it: with the previews' ApplicationSet,
   * which deploys each pull request's folder under previews/ of that branch.
   * @default - no Argo CD folder: the render is applied with kubectl
   */
  readonly argoCdRepoUrl?: string;
  /**
   * The backend's autoscaling range (its HPA's minReplicas and maxReplicas).
   * @default - SUITE_ENVIRONMENT's, [2, 2]
   */
  readonly backendReplicas?: [number, number];
}

/**
 * The suite environment alone (SUITE_ENVIRONMENT), rendered by the same code as the shop's
 * environments, at the version the suite builds its images for.
 */
export function shopSuiteApp(outdir: string, version: string, options: SuiteRenderOptions = {}): DeliveryApp {
  const app = new DeliveryApp({ outdir, ...options.argoCdRepoUrl ? { argoCd: { repoUrl: options.argoCdRepoUrl, previews: {} } } : {} });
  const env = options.backendReplicas ? { ...SUITE_ENVIRONMENT, replicas: options.backendReplicas } : SUITE_ENVIRONMENT;
  new DjangoAppChart(app, env.name, shop(env, { version }));
  return app;
}

/**
 * The preview of a pull request as shopApp renders it (`pr-<n>`, namespace `shop-pr-<n>`, host
 * `pr-<n>.preview.shop.example.com`), derived from the suite environment instead of staging, so that
 * it reaches the suite's test hosts and names the suite environment's PriorityClasses.
 */
export function shopSuitePreviewApp(outdir: string, version: string, pullRequest: number): DeliveryApp {
  return previewApp(new PreviewEnvironment({ pullRequest, domain: PREVIEW_DOMAIN }), SUITE_ENVIRONMENT, { version }, outdir);
}
