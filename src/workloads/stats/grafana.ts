import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { configChecksum, credentialEnv, ES_PASSWORD_ENV, ES_USER_ENV, resolveConnection, StatsElasticsearchConnection, yamlString } from './connection';
import { summaryDashboard, tenantDashboard } from './dashboards';
import { addDisruptionBudget, defaultMinAvailable, SpreadMode } from '../../platform/availability';
import { checkDnsLabel, checkInteger, checkSecretKey, invalid, Owner } from '../../platform/errors';
import { PodHardening, PodHardeningProps } from '../../platform/hardening';
import { HttpComponent } from '../../platform/http-component';
import { ComponentIdentityProps, ComponentLabels, PodImage } from '../../platform/labels';
import { addDeployment, imageReference, RolloutKind } from '../../platform/pod';
import { PodOptions, resolvePodOptions } from '../../platform/pod-options';
import { ContainerResources, renderResources } from '../../platform/resources';
import { SecretKeyReference } from '../../platform/secret-reference';
import { addService } from '../../platform/service';

/** How the usage dashboards run, apart from the app they belong to. */
export interface StatsDashboardsOptions extends PodOptions {
  /** The image tag, e.g. `11.3.0`. Explicit: a Grafana upgrade migrates its database. */
  readonly tag: string;
  /** Requests and limits of one pod. */
  readonly resources: ContainerResources;
  /** The statistics Elasticsearch and the Secret with the (read-only) credentials Grafana queries with. */
  readonly elasticsearch: StatsElasticsearchConnection;
  /** The name of an existing Secret holding the Grafana admin password. */
  readonly adminSecretName: string;
  /**
   * The key of the admin password in `adminSecretName`.
   * @default 'admin-password'
   */
  readonly adminPasswordKey?: string;
  /**
   * The Grafana admin login.
   * @default 'admin'
   */
  readonly adminUser?: string;
  /**
   * The image repository, without tag, with its registry host (runtimes that enforce short names refuse `grafana/grafana`).
   * @default 'docker.io/grafana/grafana'
   */
  readonly image?: string;
  /**
   * Object name and component label.
   * @default 'grafana'
   */
  readonly name?: string;
  /**
   * The container and Service port.
   * @default 3000
   */
  readonly port?: number;
  /**
   * The indices the datasource searches, e.g. `StatsShipper.indexWildcard`.
   * @default - `<appName>-usage-*`, what a `StatsShipper` of the same app writes by default (in `DjangoAppChart`: the shipper's `indexWildcard`)
   */
  readonly indexPattern?: string;
  /**
   * The uid of the provisioned Elasticsearch datasource, which the dashboards refer to it by.
   * A Grafana uid: letters, digits, `-` and `_`, at most 40 characters.
   * @default - `<appName>-usage-es`
   */
  readonly datasourceUid?: string;
  /**
   * The uid of the tenant-admin report: part of its URL, so links and bookmarks keep working while it stays.
   * @default - `<appName>-usage-tenant`
   */
  readonly tenantDashboardUid?: string;
  /**
   * The uid of the app-admin summary: part of its URL.
   * @default - `<appName>-usage-summary`
   */
  readonly summaryDashboardUid?: string;
  /**
   * The tags of both dashboards, for Grafana's search. Each 1 to 50 characters.
   * @default - the appName and `usage`
   */
  readonly dashboardTags?: string[];
  /**
   * The public URL Grafana is served at, e.g. `https://app.example.com/stats/`. A path other
   * than `/` makes Grafana serve from that sub-path (behind the edge proxy).
   * @default - Grafana's default (`http://localhost:3000/`)
   */
  readonly rootUrl?: string;
  /**
   * An existing Secret holding Grafana's database URL (`GF_DATABASE_URL`, e.g. `postgres://...`).
   * Without it Grafana keeps its SQLite database in a per-pod emptyDir: provisioned datasources
   * and dashboards come back on restart, but users, teams and organisations made in the UI do not.
   * @default - SQLite in an emptyDir
   */
  readonly databaseSecretName?: string;
  /**
   * The key of the database URL in `databaseSecretName`.
   * @default 'database-url'
   */
  readonly databaseUrlKey?: string;
  /**
   * Fixed number of pods. More than one needs `databaseSecretName` (pods must share users and sessions);
   * from 2 on, a PodDisruptionBudget keeps all but one through drains.
   * @default 1
   */
  readonly replicas?: number;
}

/** Grafana with the usage datasource and dashboards provisioned from files. */
export interface StatsDashboardsProps extends StatsDashboardsOptions, ComponentIdentityProps, PodHardeningProps {}

const DATA = '/var/lib/grafana';
const PROVISIONING = '/etc/grafana/provisioning';
const DASHBOARDS = '/etc/grafana/dashboards/usage';
const INDEX_PATTERN = /^[a-z0-9*][a-z0-9*._-]*$/;
/** What Grafana accepts as the uid of a datasource or dashboard. */
const GRAFANA_UID = /^[A-Za-z0-9_-]{1,40}$/;

function checkUid(owner: Owner, field: string, uid: string): string {
  if (typeof uid !== 'string' || !GRAFANA_UID.test(uid)) {
    invalid(owner, field, 'a Grafana uid (letters, digits, "-" and "_", 1 to 40 characters; the default is derived from appName)', uid);
  }
  return uid;
}

function checkTags(owner: Owner, tags: string[]): string[] {
  if (!Array.isArray(tags) || tags.some((t) => typeof t !== 'string' || t.length < 1 || t.length > 50 || /[\u0000-\u001f]/.test(t)) || new Set(tags).size !== tags.length) {
    invalid(owner, 'dashboardTags', 'a list of distinct tags of 1 to 50 printable characters', tags);
  }
  return tags;
}

/**
 * Grafana for usage statistics: an Elasticsearch datasource on the statistics cluster and two
 * dashboards, the tenant-admin report and the app-admin summary, provisioned from ConfigMaps.
 *
 * The container runs as the platform's uid/gid (10001), not as the image's `grafana` user (472):
 * a low uid may collide with a host user, and the image supports arbitrary uids. Its only writable paths are per-pod emptyDirs:
 * `/tmp` and `/var/lib/grafana` (data, plugins, logs).
 *
 * The `tenant` variable of the tenant report selects what is shown; it is not an access
 * boundary. Anyone who can open the dashboard can pick any tenant.
 */
export class StatsDashboards extends HttpComponent {
  /** The statistics Elasticsearch host, for an egress NetworkPolicy. */
  public readonly elasticsearchHost: string;
  /** The statistics Elasticsearch port, for an egress NetworkPolicy. */
  public readonly elasticsearchPort: number;
  /** The indices the datasource searches. */
  public readonly indexPattern: string;
  /** uid of the provisioned Elasticsearch datasource. */
  public readonly datasourceUid: string;
  /** uid of the tenant-admin report. */
  public readonly tenantDashboardUid: string;
  /** uid of the app-admin summary. */
  public readonly summaryDashboardUid: string;
  /** SHA-256 of the provisioning ConfigMaps, also written to the pod template as `checksum/config`. */
  public readonly configChecksum: string;
  /** Every Secret key the pods read. */
  public readonly secretKeys: SecretKeyReference[];

  constructor(scope: Construct, id: string, props: StatsDashboardsProps) {
    super(scope, id, props, { name: 'grafana', port: 3000 });
    // The default names are derived from the app, so appName is checked before them.
    const appName = checkDnsLabel(this, 'appName', props.appName);
    this.datasourceUid = checkUid(this, 'datasourceUid', props.datasourceUid ?? `${appName}-usage-es`);
    this.tenantDashboardUid = checkUid(this, 'tenantDashboardUid', props.tenantDashboardUid ?? `${appName}-usage-tenant`);
    this.summaryDashboardUid = checkUid(this, 'summaryDashboardUid', props.summaryDashboardUid ?? `${appName}-usage-summary`);
    if (this.summaryDashboardUid === this.tenantDashboardUid) {
      invalid(this, 'summaryDashboardUid', `a uid other than tenantDashboardUid (${this.tenantDashboardUid}): Grafana keeps one dashboard per uid`, this.summaryDashboardUid);
    }
    const dashboardTags = checkTags(this, props.dashboardTags ?? [appName, 'usage']);
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1, 10);
    const es = resolveConnection(this, 'elasticsearch', props.elasticsearch);
    this.elasticsearchHost = es.host;
    this.elasticsearchPort = es.port;
    const indexPattern = props.indexPattern ?? `${appName}-usage-*`;
    if (typeof indexPattern !== 'string' || indexPattern.length > 200 || !INDEX_PATTERN.test(indexPattern)) {
      invalid(this, 'indexPattern', 'a lowercase Elasticsearch index name or wildcard such as "myapp-usage-*"', indexPattern);
    }
    this.indexPattern = indexPattern;
    const adminPasswordKey = props.adminPasswordKey ?? 'admin-password';
    checkSecretKey(this, 'adminSecretName', props.adminSecretName, 'adminPasswordKey', adminPasswordKey);
    const adminUser = props.adminUser ?? 'admin';
    if (typeof adminUser !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$/.test(adminUser)) {
      invalid(this, 'adminUser', 'a login of letters, digits, ".", "_", "@" or "-"', adminUser);
    }
    const databaseEnv = this.databaseEnv(props);
    this.secretKeys = [
      { secretName: es.secretName, key: es.usernameKey },
      { secretName: es.secretName, key: es.passwordKey },
      { secretName: props.adminSecretName, key: adminPasswordKey },
      ...(props.databaseSecretName ? [{ secretName: props.databaseSecretName, key: props.databaseUrlKey ?? 'database-url' }] : []),
    ];
    if (replicas > 1 && !databaseEnv.length) {
      invalid(this, 'replicas', '1 unless databaseSecretName is set (each pod would have its own SQLite users and sessions)', replicas);
    }
    const rootUrlEnv = this.rootUrlEnv(props.rootUrl);

    const labels = new ComponentLabels(this, props, this.name, props.tag, PodImage.OWN);
    const hardening = new PodHardening(this, props);

    const datasources = { 'usage-elasticsearch.yaml': datasourceYaml(this.datasourceUid, es.url, indexPattern) };
    const providers = { 'usage-dashboards.yaml': providerYaml() };
    const dashboards = {
      'tenant-report.json': `${JSON.stringify(tenantDashboard({ uid: this.tenantDashboardUid, datasourceUid: this.datasourceUid, tags: dashboardTags }), undefined, 2)}\n`,
      'all-tenants-summary.json': `${JSON.stringify(summaryDashboard({ uid: this.summaryDashboardUid, datasourceUid: this.datasourceUid, tags: dashboardTags }), undefined, 2)}\n`,
    };
    // [construct id, volume name, ConfigMap data, mount path]; the ConfigMap is `<name>-<volume>`.
    const configMaps: [string, string, Record<string, string>, string][] = [
      ['Datasources', 'datasources', datasources, `${PROVISIONING}/datasources`],
      ['DashboardProviders', 'dashboard-providers', providers, `${PROVISIONING}/dashboards`],
      ['Dashboards', 'dashboards', dashboards, DASHBOARDS],
    ];
    for (const [cid, volume, data] of configMaps) {
      const name = `${this.name}-${volume}`;
      new k8s.KubeConfigMap(this, cid, { metadata: { name, labels: labels.all }, data });
    }
    this.configChecksum = configChecksum(datasources, providers, dashboards);

    const probe = { httpGet: { path: '/api/health', port: k8s.IntOrString.fromString('http') } };
    addDeployment(this, {
      name: this.name,
      labels,
      hardening,
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image ?? 'docker.io/grafana/grafana', props.tag),
      env: [
        { name: 'GF_PATHS_DATA', value: DATA },
        { name: 'GF_PATHS_PLUGINS', value: `${DATA}/plugins` },
        { name: 'GF_PATHS_LOGS', value: `${DATA}/logs` },
        { name: 'GF_PATHS_PROVISIONING', value: PROVISIONING },
        { name: 'GF_LOG_MODE', value: 'console' },
        { name: 'GF_SERVER_HTTP_PORT', value: String(this.port) },
        ...rootUrlEnv,
        { name: 'GF_SECURITY_ADMIN_USER', value: adminUser },
        { name: 'GF_SECURITY_ADMIN_PASSWORD', valueFrom: { secretKeyRef: { name: props.adminSecretName, key: adminPasswordKey } } },
        { name: 'GF_USERS_ALLOW_SIGN_UP', value: 'false' },
        { name: 'GF_AUTH_ANONYMOUS_ENABLED', value: 'false' },
        // No calls home from inside the cluster.
        { name: 'GF_ANALYTICS_REPORTING_ENABLED', value: 'false' },
        { name: 'GF_ANALYTICS_CHECK_FOR_UPDATES', value: 'false' },
        { name: 'GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES', value: 'false' },
        ...databaseEnv,
        ...credentialEnv(es),
      ],
      ports: [{ name: 'http', containerPort: this.port, protocol: 'TCP' }],
      resources: renderResources(this, 'resources', props.resources),
      // The first start runs every database migration.
      startupProbe: { ...probe, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 3 },
      readinessProbe: { ...probe, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 3 },
      // Alive means the port accepts connections; /api/health also fails when the database does.
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('http') }, periodSeconds: 10, failureThreshold: 6, timeoutSeconds: 5 },
      preStopSleepSeconds: 5,
      terminationGracePeriodSeconds: 30,
      spread: replicas > 1 ? SpreadMode.PREFERRED : SpreadMode.NONE,
      podAnnotations: { 'checksum/config': this.configChecksum },
      volumes: [
        { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('1Gi') } },
        ...configMaps.map(([, volume]) => ({ name: volume, configMap: { name: `${this.name}-${volume}` } })),
      ],
      volumeMounts: [
        { name: 'data', mountPath: DATA },
        ...configMaps.map(([, volume, , mountPath]) => ({ name: volume, mountPath, readOnly: true })),
      ],
      replicas,
      rollout: RolloutKind.SURGE,
    });
    addService(this, this.name, labels, this.port);
    if (replicas >= 2) addDisruptionBudget(this, this.name, labels, defaultMinAvailable(replicas));
  }

  private databaseEnv(props: StatsDashboardsProps): k8s.EnvVar[] {
    if (props.databaseSecretName === undefined) {
      if (props.databaseUrlKey !== undefined) invalid(this, 'databaseSecretName', 'set when databaseUrlKey is set', props.databaseSecretName);
      return [];
    }
    const key = props.databaseUrlKey ?? 'database-url';
    checkSecretKey(this, 'databaseSecretName', props.databaseSecretName, 'databaseUrlKey', key);
    return [{ name: 'GF_DATABASE_URL', valueFrom: { secretKeyRef: { name: props.databaseSecretName, key } } }];
  }

  private rootUrlEnv(rootUrl: string | undefined): k8s.EnvVar[] {
    if (rootUrl === undefined) return [];
    let path = '';
    try {
      const parsed = new URL(rootUrl);
      if (!/^https?:$/.test(parsed.protocol) || parsed.search || parsed.hash || parsed.username || /[\s$"]/.test(rootUrl)) throw new Error();
      path = parsed.pathname;
    } catch {
      invalid(this, 'rootUrl', 'an http(s) URL such as "https://app.example.com/stats/"', rootUrl);
    }
    const env: k8s.EnvVar[] = [{ name: 'GF_SERVER_ROOT_URL', value: rootUrl }];
    if (path !== '/') env.push({ name: 'GF_SERVER_SERVE_FROM_SUB_PATH', value: 'true' });
    return env;
  }
}

/**
 * The datasource. Grafana expands `${VAR}` in provisioning files, so the credentials are
 * read from the container environment (filled from the Secret) when Grafana starts.
 */
function datasourceYaml(uid: string, url: string, indexPattern: string): string {
  return [
    'apiVersion: 1',
    'datasources:',
    '  - name: Usage statistics',
    `    uid: ${yamlPlainOrQuoted(uid)}`,
    '    type: elasticsearch',
    '    access: proxy',
    `    url: ${yamlString(url)}`,
    '    basicAuth: true',
    `    basicAuthUser: "\${${ES_USER_ENV}}"`,
    '    editable: false',
    '    isDefault: true',
    '    jsonData:',
    `      index: ${yamlString(indexPattern)}`,
    '      timeField: "@timestamp"',
    '      maxConcurrentShardRequests: 5',
    '    secureJsonData:',
    `      basicAuthPassword: "\${${ES_PASSWORD_ENV}}"`,
    '',
  ].join('\n');
}

/** A uid as YAML reads it back as that string: plain when it starts with a letter and is no YAML word, else quoted (`123`, `no`). */
function yamlPlainOrQuoted(value: string): string {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(value) && !/^(true|false|yes|no|on|off|y|n|null)$/i.test(value) ? value : yamlString(value);
}

function providerYaml(): string {
  return [
    'apiVersion: 1',
    'providers:',
    '  - name: usage',
    '    orgId: 1',
    '    folder: Usage',
    '    type: file',
    '    disableDeletion: true',
    '    allowUiUpdates: false',
    '    options:',
    `      path: ${DASHBOARDS}`,
    '',
  ].join('\n');
}
