import { Construct } from 'constructs';
import { ComponentPort, IHttpComponent } from './component';
import { checkDnsLabel } from './errors';
import { ComponentIdentityProps, selectorLabels } from './labels';
import { checkContainerPort } from './web-tier';

/** The props every HTTP component takes for its address, as the user wrote them. */
export interface HttpComponentProps extends ComponentIdentityProps {
  /** The Deployment's and Service's name; the component's default when unset. */
  readonly name?: string;
  /** The container (and Service) port; the component's default when unset. */
  readonly port?: number;
}

/** What a kind of HTTP component uses when its props leave the address unset. */
export interface HttpComponentDefaults {
  readonly name: string;
  readonly port: number;
  /** Ports the pods also listen on, after the HTTP port (an API port for probes). */
  readonly extraListenPorts?: ComponentPort[];
}

/**
 * The fields of {@link IHttpComponent}, checked and set in one place for every HTTP component
 * (backend, frontend, edge, Flower, statistics shipper and dashboards): the name (a DNS label), the port
 * (1024-65535, the pods run without root), the Service URL, the pod selector and the listen ports.
 * A hidden base class: jsii folds these fields into each subclass, so their API is as before.
 * @internal
 */
export abstract class HttpComponent extends Construct implements IHttpComponent {
  /** The Deployment's and Service's name, and its `app.kubernetes.io/component` label. */
  public readonly name: string;
  /** The container (and Service) port. */
  public readonly port: number;
  /** The in-cluster URL of the Service, `http://<name>:<port>`. */
  public readonly serviceUrl: string;
  /** The labels that select the component's pods. */
  public readonly selectorLabels: { [key: string]: string };
  /** The HTTP port, then any other port the pods listen on. */
  public readonly listenPorts: ComponentPort[];

  protected constructor(scope: Construct, id: string, props: HttpComponentProps, defaults: HttpComponentDefaults) {
    super(scope, id);
    this.name = checkDnsLabel(this, 'name', props.name ?? defaults.name);
    this.port = checkContainerPort(this, 'port', props.port ?? defaults.port);
    this.serviceUrl = `http://${this.name}:${this.port}`;
    this.selectorLabels = selectorLabels(this, props, this.name);
    this.listenPorts = [{ port: this.port, protocol: 'TCP' }, ...(defaults.extraListenPorts ?? [])];
  }
}
