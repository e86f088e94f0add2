import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { NginxConfig, NginxConfigOptions, NginxRoutingOptions, renderNginxConfig } from './nginx-config';
import { HorizontalScalingProps } from '../../platform/autoscaling';
import { IHttpComponent } from '../../platform/component';
import { invalid } from '../../platform/errors';
import { PodHardening, PodHardeningProps } from '../../platform/hardening';
import { HttpComponent } from '../../platform/http-component';
import { ComponentIdentityProps, ComponentLabels, PodImage } from '../../platform/labels';
import { imageReference } from '../../platform/pod';
import { PodOptions, resolvePodOptions } from '../../platform/pod-options';
import { checkPublicHosts } from '../../platform/public-hosts';
import { ContainerResources, renderResources } from '../../platform/resources';
import { addWebTier, httpProbe, tcpProbe } from '../../platform/web-tier';

const CONFIG_DIR = '/etc/nginx/edge';
const RUNTIME_DIR = '/tmp/nginx';

/** How the nginx edge runs and routes, apart from the components it routes to. */
export interface EdgeRouterOptions extends HorizontalScalingProps, PodOptions {
  /** Requests and limits of one nginx pod. */
  readonly resources: ContainerResources;
  /**
   * How `nginx.conf` routes (path prefixes, S3 downloads, uploads, sizes, timeouts).
   * @default - NginxConfig's defaults
   */
  readonly routing?: NginxRoutingOptions;
  /** The public host name of the Ingress. */
  readonly host: string;
  /**
   * More host names the Ingress sends to the edge, each a rule of its own: a tenant per subdomain
   * (`*.app.example.com`; a wildcard stands for one label), or an old name kept while clients move.
   * With `clusterIssuer`, the other names share the certificate of `host` (`<name>-tls`), and the
   * wildcards get one of their own (`<name>-wildcard-tls`), which needs a DNS-01 solver: a wildcard
   * the issuer cannot prove then never holds back the certificate of `host`.
   * @default - only `host`
   */
  readonly additionalHosts?: string[];
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

/** Path prefixes the edge sends to a web component other than the backend and frontend. */
export interface EdgeServiceRoute {
  /** The component that serves them, e.g. a `DjangoBackend` that runs uvicorn. */
  readonly component: IHttpComponent;
  /**
   * The path prefixes, each starting and ending with `/` and used by no other route (`/ws/`,
   * `/api/stream/`). A prefix may sit under a backend prefix: the longest prefix wins.
   */
  readonly pathPrefixes: string[];
  /**
   * How long a connection on these prefixes may stay silent in one direction, in seconds
   * (1-86400): nginx's read and send timeouts there, and the Ingress controller's.
   * @default 3600
   */
  readonly idleTimeoutSeconds?: number;
  /**
   * Paths under the prefixes that the edge answers with 404 itself: see `NginxServiceRoute.blockedPaths`.
   * @default - none
   */
  readonly blockedPaths?: string[];
}

/** The nginx edge in front of the backend (and the frontend, if there is one), with an Ingress in front of it. */
export interface EdgeRouterProps extends EdgeRouterOptions, ComponentIdentityProps, PodHardeningProps {
  /** The Django backend: API, admin and upload prefixes, and the X-Accel-Redirect answers. */
  readonly backend: IHttpComponent;
  /**
   * The frontend that renders every path no prefix claims.
   * @default - no frontend: the backend serves every path
   */
  readonly frontend?: IHttpComponent;
  /**
   * Web components beside the backend (ASGI, websockets), each with the path prefixes it serves.
   * @default - none
   */
  readonly services?: EdgeServiceRoute[];
  /**
   * Base URL the `/static/` prefix is served from: the statics bucket or a CDN.
   * See `NginxConfigOptions.staticOrigin`.
   */
  readonly staticOrigin: string;
}

/**
 * nginx in front of a Django backend and, optionally, a Nuxt frontend: a generated `nginx.conf`
 * in a ConfigMap, a Deployment that rolls when the config changes, a Service and an Ingress.
 * Django authorises downloads and answers with `X-Accel-Redirect`; nginx streams the object
 * from S3 (see docs/EDGE.md).
 */
export class EdgeRouter extends HttpComponent {
  /** The generated nginx.conf. */
  public readonly config: string;
  /** Every host name the Ingress routes here: `host`, then `additionalHosts`. */
  public readonly hosts: string[];

  constructor(scope: Construct, id: string, props: EdgeRouterProps) {
    super(scope, id, props, { name: 'edge', port: 8080 });
    if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(props.host ?? '')) invalid(this, 'host', 'a DNS host name', props.host);
    this.hosts = [props.host, ...this.checkAdditionalHosts(props)];
    if (!props.backend) invalid(this, 'backend', 'the backend component to route to', props.backend);
    if (props.services !== undefined && !Array.isArray(props.services)) invalid(this, 'services', 'a list of routes, or left out', props.services);
    const services = props.services ?? [];
    services.forEach((route, i) => {
      if (!route?.component) invalid(this, `services[${i}].component`, 'the component to route to', route?.component);
    });
    this.config = this.renderConfig({
      ...props.routing,
      backendUpstream: upstream(props.backend),
      frontendUpstream: props.frontend ? upstream(props.frontend) : undefined,
      serviceRoutes: services.map((route) => ({
        name: route.component.name,
        upstream: upstream(route.component),
        pathPrefixes: route.pathPrefixes,
        idleTimeoutSeconds: route.idleTimeoutSeconds,
        blockedPaths: route.blockedPaths,
      })),
      staticOrigin: props.staticOrigin,
      listenPort: this.port,
      healthPath: '/healthz',
      runtimeDir: RUNTIME_DIR,
    });
    const tag = props.tag ?? '1.27.3-alpine';
    const labels = new ComponentLabels(this, props, this.name, tag, PodImage.OWN);

    new k8s.KubeConfigMap(this, 'Config', {
      metadata: { name: `${this.name}-nginx`, labels: labels.all },
      data: { 'nginx.conf': this.config },
    });
    addWebTier(this, {
      name: this.name,
      labels,
      hardening: new PodHardening(this, props),
      options: resolvePodOptions(this, props),
      image: imageReference(this, props.image ?? 'docker.io/nginxinc/nginx-unprivileged', tag),
      command: ['nginx', '-e', 'stderr', '-g', 'daemon off;', '-c', `${CONFIG_DIR}/nginx.conf`],
      port: this.port,
      resources: renderResources(this, 'resources', props.resources),
      readinessProbe: httpProbe('/healthz', undefined, 5, 3),
      livenessProbe: tcpProbe(10, 6),
      scaling: props,
      requestTimeoutSeconds: props.routing?.proxyReadTimeoutSeconds ?? 300,
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
    this.addIngress(props, labels, services);
  }

  /**
   * The nginx.conf, with option errors named as the user wrote them: `routing.<field>`,
   * `staticOrigin` or `services[i]...` of this construct, instead of NginxConfig's own field names.
   */
  private renderConfig(options: NginxConfigOptions): string {
    return renderNginxConfig(options, {
      owner: this,
      fieldName: (option) => {
        if (option === 'staticOrigin') return option;
        // The service routes are this construct's `services`, in the same order.
        if (option.startsWith('serviceRoutes')) return option.replace(/^serviceRoutes/, 'services');
        return `routing.${option}`;
      },
    });
  }

  // cert-manager makes one Certificate per entry: an HTTP-01 issuer proves the names, a wildcard only DNS-01.
  private tlsEntries(): k8s.IngressTls[] {
    const wildcards = this.hosts.filter((h) => h.startsWith('*.'));
    return [
      { hosts: this.hosts.filter((h) => !h.startsWith('*.')), secretName: `${this.name}-tls` },
      ...(wildcards.length ? [{ hosts: wildcards, secretName: `${this.name}-wildcard-tls` }] : []),
    ];
  }

  private checkAdditionalHosts(props: EdgeRouterProps): string[] {
    const hosts = checkPublicHosts(this, 'additionalHosts', props.additionalHosts ?? []);
    const same = hosts.indexOf(props.host);
    if (same >= 0) invalid(this, `additionalHosts[${same}]`, 'a host other than host', props.host);
    return hosts;
  }

  private addIngress(props: EdgeRouterProps, labels: ComponentLabels, services: EdgeServiceRoute[]): void {
    const annotations: Record<string, string> = {
      // The controller in front must not buffer uploads or downloads either.
      'nginx.ingress.kubernetes.io/proxy-body-size': props.routing?.uploadMaxBodySize ?? '5g',
      'nginx.ingress.kubernetes.io/proxy-request-buffering': 'off',
      'nginx.ingress.kubernetes.io/proxy-buffering': 'off',
    };
    if (services.length > 0) {
      // The controller's own 60 s would cut a quiet websocket long before the edge does. The
      // annotations hold for the whole host; the edge still applies its shorter timeouts to the
      // other routes.
      const idle = String(Math.max(...services.map((route) => route.idleTimeoutSeconds ?? 3600)));
      annotations['nginx.ingress.kubernetes.io/proxy-read-timeout'] = idle;
      annotations['nginx.ingress.kubernetes.io/proxy-send-timeout'] = idle;
    }
    if (props.clusterIssuer) annotations['cert-manager.io/cluster-issuer'] = props.clusterIssuer;
    new k8s.KubeIngress(this, 'Ingress', {
      metadata: { name: this.name, labels: labels.all, annotations },
      spec: {
        ingressClassName: props.ingressClassName ?? 'nginx',
        tls: props.clusterIssuer ? this.tlsEntries() : undefined,
        rules: this.hosts.map((host) => ({
          host,
          http: {
            paths: [{
              path: '/',
              pathType: 'Prefix',
              backend: { service: { name: this.name, port: { name: 'http' } } },
            }],
          },
        })),
      },
    });
  }
}

/** `host:port` of a component's Service, as nginx's `upstream` needs it. */
function upstream(component: IHttpComponent): string {
  return `${component.name}:${component.port}`;
}
