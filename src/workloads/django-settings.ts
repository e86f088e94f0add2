import { k8s } from 'cdk8s-plus-27';
import { checkSecretKey, invalid } from '../platform/errors';
import { checkPublicHosts, djangoAllowedHosts } from '../platform/public-hosts';
import { SecretEnvVar, SecretKeyReference } from '../platform/secret-reference';

/**
 * The settings contract between the manifests and a Django app, shared by every process
 * that runs the app's code (web, workers, beat, migrations, collectstatic).
 */
export interface DjangoSettingsProps {
  /** Written to `DJANGO_SETTINGS_MODULE`, e.g. `config.settings.production`. */
  readonly settingsModule: string;
  /** An existing Secret holding the database URL and the Django secret key. Values never appear in the manifests. */
  readonly secretName: string;
  /**
   * Key of the database URL in `secretName`, exposed as `DATABASE_URL`.
   * @default 'database-url'
   */
  readonly databaseUrlKey?: string;
  /**
   * Key of the Django secret key in `secretName`, exposed as `DJANGO_SECRET_KEY`.
   * @default 'secret-key'
   */
  readonly secretKeyKey?: string;
  /** The media bucket, exposed as `AWS_STORAGE_BUCKET_NAME`. Uploads go there directly as S3 multipart uploads. */
  readonly mediaBucket: string;
  /** The statics bucket that `collectstatic` fills, exposed as `DJANGO_STATIC_BUCKET`. */
  readonly staticBucket: string;
  /** The S3 region, exposed as `AWS_S3_REGION_NAME`. */
  readonly s3Region: string;
  /**
   * An S3-compatible endpoint, exposed as `AWS_S3_ENDPOINT_URL`. In a `DjangoAppChart`, the edge's X-Accel
   * downloads go to this host with the same scheme (plain HTTP for an `http://` endpoint).
   * @default - AWS's regional endpoint; the variable is not set
   */
  readonly s3Endpoint?: string;
  /**
   * The public base URL of the static files (the bucket or a CDN in front of it), exposed as `STATIC_URL`. Must end in `/`.
   * @default - `https://<staticBucket>.s3.<s3Region>.amazonaws.com/`, or `<s3Endpoint>/<staticBucket>/` with an endpoint
   */
  readonly staticUrl?: string;
  /**
   * Django storage backend for media, exposed as `DJANGO_DEFAULT_STORAGE_BACKEND` (for `STORAGES["default"]`).
   * @default 'storages.backends.s3.S3Storage'
   */
  readonly mediaStorageBackend?: string;
  /**
   * Django storage backend for statics, exposed as `DJANGO_STATICFILES_STORAGE_BACKEND` (for `STORAGES["staticfiles"]`).
   * @default 'storages.backends.s3.S3Storage'
   */
  readonly staticStorageBackend?: string;
  /**
   * The host names the app is served under, exposed as `DJANGO_PUBLIC_HOSTS`: comma-separated, in
   * `ALLOWED_HOSTS` form (`*.example.com` becomes `.example.com`). The kit's `configure()` adds them to
   * `ALLOWED_HOSTS`; an app without the kit reads them itself.
   * @default - in a DjangoAppChart with an edge, the edge's `host` and `additionalHosts`; else the variable is not set
   */
  readonly publicHosts?: string[];
  /**
   * Further variables read from Secrets (S3 keys, search credentials, ...). A name of the settings
   * contract, of the broker (`CELERY_BROKER_*`) or of the worker contract is refused: the chart sets those.
   * @default - none
   */
  readonly secretEnv?: SecretEnvVar[];
  /**
   * Further plain settings. Never put a credential here: use `secretEnv`. A name of the settings contract,
   * of the broker (`CELERY_BROKER_*`) or of the worker contract is refused: the chart sets those.
   * @default - none
   */
  readonly env?: { [name: string]: string };
}

/**
 * The settings contract: the variables DjangoSettings gives every process of the Django code, by what
 * they carry (README, "App contract"). The compose importer reads it to tell which variables of a
 * compose file the chart sets itself.
 */
export const SETTINGS_ENV = {
  settingsModule: 'DJANGO_SETTINGS_MODULE',
  databaseUrl: 'DATABASE_URL',
  secretKey: 'DJANGO_SECRET_KEY',
  mediaBucket: 'AWS_STORAGE_BUCKET_NAME',
  s3Region: 'AWS_S3_REGION_NAME',
  s3Endpoint: 'AWS_S3_ENDPOINT_URL',
  staticBucket: 'DJANGO_STATIC_BUCKET',
  staticUrl: 'STATIC_URL',
  mediaStorageBackend: 'DJANGO_DEFAULT_STORAGE_BACKEND',
  staticStorageBackend: 'DJANGO_STATICFILES_STORAGE_BACKEND',
  publicHosts: 'DJANGO_PUBLIC_HOSTS',
} as const;

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const OWNER = 'DjangoSettings';

/**
 * Validated Django settings, rendered as the environment of every container that runs the app.
 */
export class DjangoSettings {
  /** The database URL and secret key come from this Secret. */
  public readonly secretName: string;
  /** The media bucket. */
  public readonly mediaBucket: string;
  /** The statics bucket. */
  public readonly staticBucket: string;
  /** The S3 region. */
  public readonly s3Region: string;
  /** The S3-compatible endpoint, without a trailing `/`, when one is set. */
  public readonly s3Endpoint?: string;
  /** The public base URL of the static files (`STATIC_URL`). */
  public readonly staticUrl: string;
  /** Every Secret key the settings read, in the order of the variables. */
  public readonly secretKeys: SecretKeyReference[];
  private readonly vars: k8s.EnvVar[];

  constructor(props: DjangoSettingsProps) {
    if (!props.settingsModule || !/^[A-Za-z_][\w.]*$/.test(props.settingsModule)) {
      invalid(OWNER, 'settingsModule', 'a dotted Python module path', props.settingsModule);
    }
    const databaseUrlKey = props.databaseUrlKey ?? 'database-url';
    const secretKeyKey = props.secretKeyKey ?? 'secret-key';
    checkSecretKey(OWNER, 'secretName', props.secretName, 'databaseUrlKey', databaseUrlKey);
    checkSecretKey(OWNER, 'secretName', props.secretName, 'secretKeyKey', secretKeyKey);
    checkBucket('mediaBucket', props.mediaBucket);
    checkBucket('staticBucket', props.staticBucket);
    if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(props.s3Region ?? '')) {
      invalid(OWNER, 's3Region', 'a region name such as "eu-central-1"', props.s3Region);
    }
    const endpoint = props.s3Endpoint?.replace(/\/+$/, '');
    if (endpoint !== undefined) checkUrl('s3Endpoint', endpoint);
    const staticUrl = props.staticUrl ?? (endpoint
      ? `${endpoint}/${props.staticBucket}/`
      : `https://${props.staticBucket}.s3.${props.s3Region}.amazonaws.com/`);
    checkUrl('staticUrl', staticUrl);
    if (!staticUrl.endsWith('/')) invalid(OWNER, 'staticUrl', 'a URL ending in "/"', staticUrl);

    const publicHosts = props.publicHosts === undefined ? undefined : djangoAllowedHosts(checkPublicHosts(OWNER, 'publicHosts', props.publicHosts));
    const secretEnv = props.secretEnv ?? [];
    secretEnv.forEach((v, i) => {
      checkEnvName(`secretEnv[${i}].name`, v.name);
      checkSecretKey(OWNER, `secretEnv[${i}].secretName`, v.secretName, `secretEnv[${i}].key`, v.key);
    });
    const plain = Object.entries(props.env ?? {}).sort(([a], [b]) => a.localeCompare(b));
    plain.forEach(([name]) => checkEnvName(`env.${name}`, name));

    this.secretName = props.secretName;
    this.mediaBucket = props.mediaBucket;
    this.staticBucket = props.staticBucket;
    this.s3Region = props.s3Region;
    this.s3Endpoint = endpoint;
    this.staticUrl = staticUrl;
    this.secretKeys = [
      { secretName: props.secretName, key: databaseUrlKey },
      { secretName: props.secretName, key: secretKeyKey },
      ...secretEnv.map((v) => ({ secretName: v.secretName, key: v.key })),
    ];
    this.vars = [
      { name: SETTINGS_ENV.settingsModule, value: props.settingsModule },
      secretVar(SETTINGS_ENV.databaseUrl, props.secretName, databaseUrlKey),
      secretVar(SETTINGS_ENV.secretKey, props.secretName, secretKeyKey),
      { name: SETTINGS_ENV.mediaBucket, value: props.mediaBucket },
      { name: SETTINGS_ENV.s3Region, value: props.s3Region },
      ...(endpoint ? [{ name: SETTINGS_ENV.s3Endpoint, value: endpoint }] : []),
      { name: SETTINGS_ENV.staticBucket, value: props.staticBucket },
      { name: SETTINGS_ENV.staticUrl, value: staticUrl },
      { name: SETTINGS_ENV.mediaStorageBackend, value: props.mediaStorageBackend ?? 'storages.backends.s3.S3Storage' },
      { name: SETTINGS_ENV.staticStorageBackend, value: props.staticStorageBackend ?? 'storages.backends.s3.S3Storage' },
      ...(publicHosts?.length ? [{ name: SETTINGS_ENV.publicHosts, value: publicHosts.join(',') }] : []),
      ...secretEnv.map((v) => secretVar(v.name, v.secretName, v.key)),
      ...plain.map(([name, value]) => ({ name, value })),
    ];
    const seen = new Set<string>();
    for (const v of this.vars) {
      if (seen.has(v.name)) invalid(OWNER, `env.${v.name}`, 'set once (it is already part of the settings contract)', v.name);
      seen.add(v.name);
    }
  }

  /** The environment variables of the contract, in a stable order. */
  public renderEnv(): k8s.EnvVar[] {
    return [...this.vars];
  }
}

/** An env var whose value is read from a Secret at pod start. */
export function secretVar(name: string, secretName: string, key: string): k8s.EnvVar {
  return { name, valueFrom: { secretKeyRef: { name: secretName, key } } };
}

function checkEnvName(field: string, name: string): void {
  if (!ENV_NAME.test(name ?? '')) invalid(OWNER, field, 'an environment variable name (letters, digits, "_")', name);
}

function checkBucket(field: string, bucket: string): void {
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket ?? '')) {
    invalid(OWNER, field, 'an S3 bucket name (3-63 lowercase letters, digits, "." or "-")', bucket);
  }
}

function checkUrl(field: string, url: string): void {
  if (!/^https?:\/\/[^\s/]+(\/\S*)?$/.test(url)) invalid(OWNER, field, 'an http(s) URL', url);
}
