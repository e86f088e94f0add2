import { Chart } from 'cdk8s';
import { Construct } from 'constructs';
import { EnvironmentSpec } from './spec';
import { addRestrictedNamespace } from '../platform/namespace';
import { CeleryBeat } from '../workloads/celery-beat';
import { CeleryBroker } from '../workloads/celery-broker';
import { CeleryWorkerPool } from '../workloads/celery-worker-pool';
import { DjangoBackend } from '../workloads/django-backend';
import { DjangoSettings } from '../workloads/django-settings';

export const APP_NAME = 'picvario';
/** Label key of Picvario's dedicated node pools. */
export const NODE_POOL_LABEL = 'picvario.io/pool';
/** The existing Secret holding the database URL and Django secret key. */
export const APP_SECRET = 'picvario-app';
/** The existing Secret holding the broker connection. */
export const BROKER_SECRET = 'picvario-broker';

/** One Picvario environment: its namespace and every component, composed from one spec. */
export class PicvarioEnvironment extends Chart {
  constructor(scope: Construct, id: string, spec: EnvironmentSpec) {
    super(scope, id, { namespace: spec.namespace, disableResourceNameHashes: true });
    const identity = { appName: APP_NAME, instance: `${APP_NAME}-${spec.name}`, version: spec.appVersion };
    addRestrictedNamespace(this, spec.namespace, {
      'app.kubernetes.io/name': APP_NAME,
      'app.kubernetes.io/instance': identity.instance,
      'app.kubernetes.io/part-of': APP_NAME,
      'app.kubernetes.io/version': spec.appVersion,
      'app.kubernetes.io/managed-by': 'cdk8s',
    });

    const settings = new DjangoSettings({
      settingsModule: 'picvario.settings.kubernetes',
      secretName: APP_SECRET,
      mediaBucket: spec.s3.mediaBucket,
      staticBucket: spec.s3.staticBucket,
      s3Region: spec.s3.region,
      s3Endpoint: spec.s3.endpoint,
      staticUrl: spec.s3.staticUrl,
      env: { PICVARIO_ENVIRONMENT: spec.name },
    });
    const broker = new CeleryBroker({ kind: spec.broker, secretName: BROKER_SECRET });
    const backendImage = `${spec.registry}/backend`;

    new DjangoBackend(this, 'backend', {
      ...identity,
      image: backendImage,
      tag: spec.appVersion,
      settings,
      broker,
      application: 'picvario.wsgi:application',
      serverWorkers: spec.backend.serverWorkers,
      minReplicas: spec.backend.minReplicas,
      maxReplicas: spec.backend.maxReplicas,
      resources: spec.backend.resources,
    });
    new CeleryWorkerPool(this, 'workers', {
      ...identity,
      image: backendImage,
      tag: spec.appVersion,
      settings,
      broker,
      celeryApp: 'picvario.celery',
      queues: spec.queues,
      nodePoolLabel: NODE_POOL_LABEL,
    });
    new CeleryBeat(this, 'beat', {
      ...identity,
      image: backendImage,
      tag: spec.appVersion,
      settings,
      broker,
      celeryApp: 'picvario.celery',
      resources: spec.beat.resources,
    });
  }
}
