import { ApiObject, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NginxConfig, NginxConfigOptions } from './nginx-config';
import { HorizontalScalingProps } from '../../platform/autoscaling';
import { checkDnsLabel, invalid } from '../../platform/errors';
import { PodHardening, PodHardeningProps } from '../../platform/hardening';
import { ComponentIdentityProps, ComponentLabels } from '../../platform/labels';
import { imageReference } from '../../platform/pod';
import { ContainerResources, renderResources } from '../../platform/resources';
import { addWebTier, checkContainerPort, httpProbe, tcpProbe } from '../../platform/web-tier';

const CONFIG_DIR = '/etc/nginx/edge';
const RUNTIME_DIR = '/tmp/nginx';

/** The nginx edge in front of the backend and the frontend, with an Ingress in front of it. */
export interface EdgeRouterProps extends ComponentIdentityProps, PodHardeningProps, HorizontalScalingProps {
  /** Requests and limits of one nginx pod. */
  readonly resources: ContainerResources;
  /**
   * What `nginx.conf` routes where (upstreams, S3 downloads, uploads, statics). `listenPort`,
   * `healthPath` and `runtimeDir` are set by the construct.
   */
  readonly nginx: NginxConfigOptions;
  /** The public host name of the Ingress. */
  readonly host: string;
  /**
   * The IngressClass.
   * @default 'nginx'
   */
  readonly ingressClassName?: string;
  /**
   * A cert-manager ClusterIssuer: when set, the Ingress asks it for a certificate and serves TLS.
   * @default - no TLS on the Ingress
   */
  readonly clusterIssuer?: string;
  /**
   * The nginx image repository, without tag. It must run as a non-root user (the unprivileged build does).
   * @default 'docker.io/nginxinc/nginx-unprivileged'
   */
  readonly image?: string;
  /**
   * The nginx image tag.
   * @default '1.27.3-alpine'
   */
  readonly tag?: string;
  /**
   * Object name and component label.
   * @default 'edge'
   */
  readonly name?: string;
  /**
   * Container port nginx listens on.
   * @default 8080
   */
  readonly port?: number;
}

/**
 * nginx in front of a Django backend and a Nuxt frontend: a generated `nginx.conf` in a
 * ConfigMap, a Deployment that rolls when the config changes, a Service and an Ingress.
 * Django authorises downloads and answers with `X-Accel-Redirect`; nginx streams the object
 * from S3 (see docs/EDGE.md).
 */
export class EdgeRouter extends Construct {
  /** The Deployment's and Service's name. */
  public readonly name: string;
  /** The container (and Service) port. */
  public readonly port: number;
  /** The generated nginx.conf. */
  public readonly config: string;

  constructor(scope: Construct, id: string, props: EdgeRouterProps) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name ?? 'edge');
    this.port = checkContainerPort(this, 'port', props.port ?? 8080);
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.host ?? '')) invalid(this, 'host', 'a DNS host name', props.host);
    this.config = NginxConfig.render({ ...props.nginx, listenPort: this.port, healthPath: '/healthz', runtimeDir: RUNTIME_DIR });
    const tag = props.tag ?? '1.27.3-alpine';
    const labels = new ComponentLabels(this, props, this.name, props.version ?? tag);

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-nginx`, labels: labels.all },
      data: { 'nginx.conf': this.config },
    });
    addWebTier(this, {
      name: this.name,
      labels,
      hardening: new PodHardening(this, props),
      image: imageReference(this, props.image ?? 'docker.io/nginxinc/nginx-unprivileged', tag),
      command: ['nginx', '-e', 'stderr', '-g', 'daemon off;', '-c', `${CONFIG_DIR}/nginx.conf`],
      port: this.port,
      resources: renderResources(this, 'resources', props.resources),
      readinessProbe: httpProbe('/healthz', undefined, 5, 3),
      livenessProbe: tcpProbe(10, 6),
      scaling: props,
      requestTimeoutSeconds: props.nginx.proxyReadTimeoutSeconds ?? 300,
      // A changed config changes the pod template, so the Deployment rolls.
      podAnnotations: { 'checksum/config': NginxConfig.checksum(this.config) },
      volumes: [
        { name: 'config', configMap: { name: `${this.name}-nginx` } },
        { name: 'runtime', emptyDir: { sizeLimit: k8s.Quantity.fromString('64Mi') } },
      ],
      volumeMounts: [
        { name: 'config', mountPath: CONFIG_DIR, readOnly: true },
        { name: 'runtime', mountPath: RUNTIME_DIR },
      ],
    });
    this.addIngress(props, labels);
    this.node.addValidation({ validate: () => this.checkUpstreams(props.nginx) });
  }

  private addIngress(props: EdgeRouterProps, labels: ComponentLabels): void {
    const annotations: Record<string, string> = {
      // The controller in front must not buffer uploads or downloads either.
      'nginx.ingress.kubernetes.io/proxy-body-size': props.nginx.uploadMaxBodySize ?? '5g',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    };
    if (props.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = props.clusterIssuer;
    new k8s.KubeIngress(this, 'Ingress', {
      metadata: { name: this.name, labels: labels.all, annotations },
      spec: {
        ingressClassName: props.ingressClassName ?? 'nginx',
        tls: props.clusterIssuer ? [{ hosts: [props.host], secretName: `${this.name}-tls` }] : undefined,
        rules: [{
          host: props.host,
          http: {
            paths: [{
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: this.name, port: { name: 'http' } } },
            }],
          },
        }],
      },
    });
  }

  /** Each upstream must be a Service this chart renders, on a port it exposes. */
  private checkUpstreams(nginx: NginxConfigOptions): string[] {
    const services = Chart.of(this).node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject && c.kind === 'Service')
      .map((s) => s.toJson());
    const available = services.flatMap((s) => (s.spec?.ports ?? []).map((p: any) => `${s.metadata.name}:${p.port}`)).sort();
    return (['backendUpstream', 'frontendUpstream'] as const)
      .filter((field) => !available.includes(nginx[field]))
      .map((field) => `EdgeRouter '${this.node.path}': nginx.${field} must route to a Service this chart renders (${available.join(', ')}); got "${nginx[field]}"`);
  }
}
