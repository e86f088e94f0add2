import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { configChecksum, credentialEnv, ES_PASSWORD_ENV, ES_USER_ENV, ResolvedConnection, resolveConnection, StatsElasticsearchConnection, yamlString } from './connection';
import { addDisruptionBudget, defaultMinAvailable, SpreadMode } from '../../platform/availability';
import { checkDnsLabel, checkInteger, invalid, Owner } from '../../platform/errors';
import { PodHardening, PodHardeningProps } from '../../platform/hardening';
import { HttpComponent } from '../../platform/http-component';
import { ComponentIdentityProps, ComponentLabels, PodImage } from '../../platform/labels';
import { addDeployment, imageReference, RolloutKind } from '../../platform/pod';
import { PodOptions, resolvePodOptions } from '../../platform/pod-options';
import { parseQuantity } from '../../platform/quantity';
import { ContainerResources, renderResources } from '../../platform/resources';
import { SecretKeyReference } from '../../platform/secret-reference';
import { addService } from '../../platform/service';

/** Who owns the index template of the usage indices. */
export enum IndexTemplateManagement {
  /**
   * Logstash installs (and overwrites) a composable index template that maps `tenant`, `event`
   * and `user` as keywords and `bytes` as a long. The Elasticsearch user needs the
   * `manage_index_templates` cluster privilege.
   */
  LOGSTASH = 'logstash',
  /**
   * Logstash never touches templates; the Elasticsearch administrators provide one.
   * Without a template the dashboards' terms aggregations need `tenant` mapped as a keyword.
   */
  EXTERNAL = 'external',
}

/** How the usage-statistics shipper runs, apart from the app it belongs to. */
export interface StatsShipperOptions extends PodOptions {
  /**
   * The image tag, e.g. `8.15.3`. Explicit: a Logstash upgrade is a decision.
   */
  readonly tag: string;
  /** Requests and limits of one pod. The JVM heap is half the memory limit, so the limit must be at least 512Mi. */
  readonly resources: ContainerResources;
  /** The statistics Elasticsearch and the Secret with the credentials Logstash writes with. */
  readonly elasticsearch: StatsElasticsearchConnection;
  /**
   * The image repository, without tag.
   * @default 'docker.elastic.co/logstash/logstash'
   */
  readonly image?: string;
  /**
   * Object name and component label.
   * @default 'stats-shipper'
   */
  readonly name?: string;
  /**
   * Port of the HTTP input the backend posts usage events to, and of the Service.
   * @default 8080
   */
  readonly port?: number;
  /**
   * The index events are written to, in Logstash sprintf syntax (the date is the event's `@timestamp`).
   * @default - `<appName>-usage-%{+YYYY.MM.dd}`, a daily index named after the app
   */
  readonly index?: string;
  /**
   * Who owns the index template.
   * @default IndexTemplateManagement.LOGSTASH
   */
  readonly indexTemplate?: IndexTemplateManagement;
  /**
   * The name of the composable index template Logstash installs. Only with
   * `IndexTemplateManagement.LOGSTASH`: an external template has the name its owners give it.
   * @default - `<appName>-usage`
   */
  readonly indexTemplateName?: string;
  /**
   * Fixed number of pods. From 2 on, a PodDisruptionBudget keeps all but one through drains.
   * @default 1
   */
  readonly replicas?: number;
}

/** The usage-statistics shipper: Logstash receiving events over HTTP and writing them to Elasticsearch. */
export interface StatsShipperProps extends StatsShipperOptions, ComponentIdentityProps, PodHardeningProps {}

/** The Logstash API port (probes, node stats); never exposed through the Service. */
const API_PORT = 9600;
const HOME = '/usr/share/logstash';
const PIPELINE_ID = 'usage';

/** Index name after removing sprintf references: what Elasticsearch accepts as a name. */
const INDEX_LITERAL = /^[a-z0-9][a-z0-9._-]*$/;
const SPRINTF = /%\{[^{}"'\\\s$]+\}/g;

function checkIndex(owner: Owner, index: string): string {
  const literal = typeof index === 'string' ? index.replace(SPRINTF, 'x') : undefined;
  if (!literal || literal.length > 200 || !INDEX_LITERAL.test(literal) || /[{}]/.test(literal)) {
    invalid(owner, 'index', 'a lowercase Elasticsearch index name, optionally with sprintf references such as "myapp-usage-%{+YYYY.MM.dd}"', index);
  }
  return index;
}

function checkTemplateName(owner: Owner, name: string): string {
  if (typeof name !== 'string' || name.length > 200 || !INDEX_LITERAL.test(name)) {
    invalid(owner, 'indexTemplateName', 'a lowercase Elasticsearch template name such as "myapp-usage" (letters, digits, ".", "_", "-", at most 200 characters)', name);
  }
  return name;
}

/**
 * The usage-statistics shipper: Logstash with an HTTP input that the Django backend posts
 * usage events to (at `serviceUrl`, e.g. `http://stats-shipper:8080`), a filter that guarantees
 * a `tenant` and sets `@timestamp` from the event's own `timestamp`, and an Elasticsearch output
 * to the statistics cluster.
 *
 * The container runs as the platform's uid/gid (10001) like every other component, not as the
 * image's `logstash` user (1000): a low uid may collide with a host user. The installation under
 * `/usr/share/logstash` only needs to be readable. The image entrypoint is bypassed: it rewrites
 * `logstash.yml` from environment variables, which fails on the read-only mount. Writable
 * paths are per-pod emptyDirs (`/tmp` and `path.data`); nothing is shared between pods.
 */
export class StatsShipper extends HttpComponent {
  /** The Logstash API port on the pods (probes); not part of the Service. */
  public readonly apiPort: number;
  /** The wildcard matching every index this shipper writes, e.g. `myapp-usage-*`, for the dashboards. */
  public readonly indexWildcard: string;
  /** The name of the index template Logstash installs; undefined when the template is managed externally. */
  public readonly indexTemplateName?: string;
  /** The statistics Elasticsearch host, for an egress NetworkPolicy. */
  public readonly elasticsearchHost: string;
  /** The statistics Elasticsearch port, for an egress NetworkPolicy. */
  public readonly elasticsearchPort: number;
  /** SHA-256 of the pipeline ConfigMap, also written to the pod template as `checksum/config`. */
  public readonly configChecksum: string;
  /** Every Secret key the pods read. */
  public readonly secretKeys: SecretKeyReference[];

  constructor(scope: Construct, id: string, props: StatsShipperProps) {
    // The HTTP input, then the Logstash API port (probes), which is not part of the Service.
    super(scope, id, props, { name: 'stats-shipper', port: 8080, extraListenPorts: [{ port: API_PORT, protocol: 'TCP' }] });
    if (this.port === API_PORT) invalid(this, 'port', `a port other than the Logstash API port ${API_PORT}`, this.port);
    this.apiPort = API_PORT;
    const replicas = checkInteger(this, 'replicas', props.replicas ?? 1, 1, 20);
    // The default names are derived from the app, so appName is checked before them.
    const appName = checkDnsLabel(this, 'appName', props.appName);
    const index = checkIndex(this, props.index ?? `${appName}-usage-%{+YYYY.MM.dd}`);
    this.indexWildcard = index.replace(SPRINTF, '*').replace(/\*+/g, '*');
    const templateMode = props.indexTemplate ?? IndexTemplateManagement.LOGSTASH;
    if (!Object.values(IndexTemplateManagement).includes(templateMode)) {
      invalid(this, 'indexTemplate', 'IndexTemplateManagement.LOGSTASH or IndexTemplateManagement.EXTERNAL', templateMode);
    }
    if (templateMode === IndexTemplateManagement.LOGSTASH) {
      this.indexTemplateName = checkTemplateName(this, props.indexTemplateName ?? `${appName}-usage`);
    } else if (props.indexTemplateName !== undefined) {
      invalid(this, 'indexTemplateName', 'unset when indexTemplate is IndexTemplateManagement.EXTERNAL (Logstash installs no template then)', props.indexTemplateName);
    }
    const es = resolveConnection(this, 'elasticsearch', props.elasticsearch);
    this.elasticsearchHost = es.host;
    this.elasticsearchPort = es.port;
    this.secretKeys = [{ secretName: es.secretName, key: es.usernameKey }, { secretName: es.secretName, key: es.passwordKey }];
    const resources = renderResources(this, 'resources', props.resources);
    const heapMiB = this.heapMiB(props.resources);

    const labels = new ComponentLabels(this, props, this.name, props.tag, PodImage.OWN);
    const hardening = new PodHardening(this, props);

    const data: Record<string, string> = {
      'logstash.yml': this.settings(),
      'pipelines.yml': pipelines(),
      'usage.conf': this.pipeline(es, index, templateMode),
    };
    if (templateMode === IndexTemplateManagement.LOGSTASH) data['usage-template.json'] = indexTemplate(this.indexWildcard);
    const configMapName = `${this.name}-pipeline`;
    new k8s.KubeConfigMap(this, 'Pipeline', { metadata: { name: configMapName, labels: labels.all }, data });
    this.configChecksum = configChecksum(data);

    const apiProbe = { httpGet: { path: '/', port: k8s.IntOrString.fromString('api') } };
    addDeployment(this, {
      name: this.name,
      labels,
      hardening,
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image ?? 'docker.elastic.co/logstash/logstash', props.tag),
      command: [`${HOME}/bin/logstash`],
      env: [
        ...credentialEnv(es),
        { name: 'LS_JAVA_OPTS', value: `-Xms${heapMiB}m -Xmx${heapMiB}m` },
      ],
      ports: [
        { name: 'http', containerPort: this.port, protocol: 'TCP' },
        { name: 'api', containerPort: API_PORT, protocol: 'TCP' },
      ],
      resources,
      // Logstash's API answers once the process is up; the JVM and plugins take a while to get there.
      startupProbe: { ...apiProbe, periodSeconds: 5, failureThreshold: 36, timeoutSeconds: 3 },
      readinessProbe: { ...apiProbe, periodSeconds: 10, failureThreshold: 3, timeoutSeconds: 5 },
      // Alive means the API port accepts connections; a busy pipeline may answer slowly and must not be restarted for it.
      livenessProbe: { tcpSocket: { port: k8s.IntOrString.fromString('api') }, periodSeconds: 20, failureThreshold: 3, timeoutSeconds: 5 },
      preStopSleepSeconds: 5,
      // On SIGTERM Logstash drains its in-memory queue to Elasticsearch before it exits.
      terminationGracePeriodSeconds: 60,
      spread: replicas > 1 ? SpreadMode.PREFERRED : SpreadMode.NONE,
      podAnnotations: { 'checksum/config': this.configChecksum },
      volumes: [
        { name: 'data', emptyDir: { sizeLimit: k8s.Quantity.fromString('256Mi') } },
        {
          name: 'config',
          configMap: { name: configMapName, items: [{ key: 'logstash.yml', path: 'logstash.yml' }, { key: 'pipelines.yml', path: 'pipelines.yml' }] },
        },
        {
          name: 'pipeline',
          configMap: { name: configMapName, items: Object.keys(data).filter((k) => k.startsWith('usage')).map((k) => ({ key: k, path: k })) },
        },
      ],
      volumeMounts: [
        { name: 'data', mountPath: `${HOME}/data` },
        // Single files, so jvm.options and log4j2.properties of the image stay in place.
        { name: 'config', mountPath: `${HOME}/config/logstash.yml`, subPath: 'logstash.yml', readOnly: true },
        { name: 'config', mountPath: `${HOME}/config/pipelines.yml`, subPath: 'pipelines.yml', readOnly: true },
        { name: 'pipeline', mountPath: `${HOME}/pipeline`, readOnly: true },
      ],
      replicas,
      rollout: RolloutKind.SURGE,
    });
    addService(this, this.name, labels, this.port);
    if (replicas >= 2) addDisruptionBudget(this, this.name, labels, defaultMinAvailable(replicas));
  }

  private heapMiB(resources: ContainerResources): number {
    const limitBytes = parseQuantity(this, 'resources.memoryLimit', resources.memoryLimit).millis / 1000n;
    const heap = Number(limitBytes / 2n / 1048576n);
    if (heap < 256) invalid(this, 'resources.memoryLimit', 'at least 512Mi (the JVM heap is half the limit, and Logstash needs 256m)', resources.memoryLimit);
    return heap;
  }

  private settings(): string {
    return [
      '# Rendered by StatsShipper. The root filesystem is read-only: data lives in an emptyDir.',
      `path.data: ${HOME}/data`,
      // The API serves the probes; `api.http.*` replaces `http.*`, which Logstash 9 removed.
      'api.http.host: 0.0.0.0',
      `api.http.port: ${API_PORT}`,
      // The event contract uses plain `event` and `user` fields, which are objects in ECS.
      'pipeline.ecs_compatibility: disabled',
      'xpack.monitoring.enabled: false',
      'config.reload.automatic: false',
      '',
    ].join('\n');
  }

  private pipeline(es: ResolvedConnection, index: string, templateMode: IndexTemplateManagement): string {
    const template = templateMode === IndexTemplateManagement.LOGSTASH
      ? [
        '    manage_template => true',
        `    template => "${HOME}/pipeline/usage-template.json"`,
        `    template_name => "${this.indexTemplateName}"`,
        '    template_api => "composable"',
        '    template_overwrite => true',
      ]
      : ['    manage_template => false'];
    return [
      '# Usage events posted by the backend: JSON objects (or arrays of them) with',
      '# tenant, event, bytes, user and timestamp.',
      'input {',
      '  http {',
      '    host => "0.0.0.0"',
      `    port => ${this.port}`,
      '    codec => "json"',
      '  }',
      '}',
      '',
      'filter {',
      '  # Every document has a tenant, so tenant-filtered reports never silently miss one.',
      '  if ![tenant] or [tenant] == "" {',
      '    mutate {',
      '      replace => { "tenant" => "unknown" }',
      '      add_tag => ["missing_tenant"]',
      '    }',
      '  }',
      '  # @timestamp is when the event happened; it stays the receive time if timestamp is absent or unparsable.',
      '  if [timestamp] {',
      '    date {',
      '      match => ["timestamp", "ISO8601", "UNIX", "UNIX_MS"]',
      '      target => "@timestamp"',
      '      remove_field => ["timestamp"]',
      '    }',
      '  }',
      '  # Request metadata added by the http input is not part of the event contract.',
      '  mutate {',
      '    remove_field => ["headers", "host", "@version"]',
      '  }',
      '}',
      '',
      'output {',
      '  elasticsearch {',
      `    hosts => [${yamlString(es.url)}]`,
      `    user => "\${${ES_USER_ENV}}"`,
      `    password => "\${${ES_PASSWORD_ENV}}"`,
      `    index => "${index}"`,
      '    data_stream => false',
      '    ilm_enabled => false',
      ...template,
      '  }',
      '}',
      '',
    ].join('\n');
  }
}

function pipelines(): string {
  return [
    `- pipeline.id: ${PIPELINE_ID}`,
    // The file, not the folder: the index template JSON lives next to it.
    `  path.config: "${HOME}/pipeline/usage.conf"`,
    '',
  ].join('\n');
}

function indexTemplate(wildcard: string): string {
  const template = {
    index_patterns: [wildcard],
    priority: 200,
    template: {
      mappings: {
        properties: {
          '@timestamp': { type: 'date' },
          'tenant': { type: 'keyword' },
          'event': { type: 'keyword' },
          'user': { type: 'keyword' },
          'bytes': { type: 'long' },
          'tags': { type: 'keyword' },
        },
      },
    },
  };
  return `${JSON.stringify(template, undefined, 2)}\n`;
}
