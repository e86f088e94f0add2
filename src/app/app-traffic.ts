import { Construct } from 'constructs';
import { ComponentGroup, ExternalServiceProps } from './app-parts';
import { IComponent, IHttpComponent } from '../platform/component';
import { checkDnsLabel, checkInteger, invalid } from '../platform/errors';
import { checkCidr, NetworkProtocol, TrafficRule } from '../platform/network-isolation';
import { modelErrors, TRAFFIC_METADATA, TrafficExternalService, TrafficFlow as Flow, TrafficModel, TrafficPort as Port } from '../platform/traffic-model';

export interface AppTrafficInput {
  readonly namespace: string;
  readonly components: IComponent[];
  readonly groups: Map<ComponentGroup, IComponent[]>;
  readonly externalServices: ExternalServiceProps[];
  readonly dnsNamespace?: string;
  readonly dnsPodLabels?: Record<string, string>;
}

/** Collects the allowed flows of an app as NetworkIsolation rules and as a {@link TrafficModel}. */
export class AppTraffic {
  public readonly rules: TrafficRule[] = [];
  private readonly flows: Flow[] = [];
  private readonly externals: TrafficExternalService[] = [];
  private readonly namespaces: string[] = [];
  private readonly services: { readonly props: ExternalServiceProps; readonly groups: ComponentGroup[]; readonly field: string }[];

  constructor(private readonly chart: Construct, private readonly input: AppTrafficInput) {
    this.services = input.externalServices.map((s, i) => this.checkService(s, `externalServices[${i}]`));
    this.services.forEach((s, i) => {
      if (this.services.findIndex((o) => o.props.name === s.props.name) !== i) invalid(chart, `${s.field}.name`, 'unique among the external services', s.props.name);
    });
    for (const { props } of this.services) {
      this.externals.push({
        name: props.name,
        cidrs: props.cidrs ? [...props.cidrs] : undefined,
        namespace: props.namespace,
        podLabels: props.podLabels ? { ...props.podLabels } : undefined,
        ports: props.ports.map((port) => ({ port, protocol: props.protocol ?? NetworkProtocol.TCP })),
      });
    }
  }

  /** Pods of another namespace (an ingress controller) may connect to a component's port. */
  public allowFromNamespace(namespace: string, to: IHttpComponent, field: string): void {
    checkDnsLabel(this.chart, field, namespace);
    if (!this.namespaces.includes(namespace)) this.namespaces.push(namespace);
    this.rules.push({ fromNamespace: namespace, toComponent: to.name, ports: [to.port] });
    this.flows.push({ from: { namespace }, to: { component: to.name }, port: to.port, protocol: NetworkProtocol.TCP });
  }

  /** One component may connect to another's Service port. */
  public allow(from: IComponent, to: IHttpComponent): void {
    this.rules.push({ fromComponent: from.name, toComponent: to.name, ports: [to.port] });
    this.flows.push({ from: { component: from.name }, to: { component: to.name }, port: to.port, protocol: NetworkProtocol.TCP });
  }

  /** Every component of a group may reach the external services it is listed for, then the components given. */
  public allowExternal(group: ComponentGroup, ...alsoTo: (IHttpComponent | undefined)[]): void {
    const services = this.services.filter((s) => s.groups.includes(group));
    for (const component of this.input.groups.get(group) ?? []) {
      for (const { props } of services) this.addExternalRule(component, props);
      for (const target of alsoTo) if (target) this.allow(component, target);
    }
  }

  /** A statistics component may reach the statistics Elasticsearch (whose port its connection names). */
  public allowStatsElasticsearch(component: IComponent & { readonly elasticsearchPort: number }, cidrs: string[]): void {
    cidrs.forEach((cidr, i) => checkCidr(this.chart, `stats.elasticsearchCidrs[${i}]`, cidr));
    const name = 'stats-elasticsearch';
    const port = component.elasticsearchPort;
    const external = this.externals.find((e) => e.name === name);
    if (!external) {
      this.externals.push({ name, cidrs: [...cidrs], ports: [{ port, protocol: NetworkProtocol.TCP }] });
    } else if (!external.ports.some((p) => p.port === port)) {
      (external.ports as Port[]).push({ port, protocol: NetworkProtocol.TCP });
    }
    this.rules.push({ fromComponent: component.name, toCidrs: [...cidrs], ports: [port] });
    this.flows.push({ from: { component: component.name }, to: { external: name }, port, protocol: NetworkProtocol.TCP });
  }

  /** A service listed for a group that has no component would silently open nothing. */
  public checkGroupsUsed(field: string): void {
    for (const { groups, field: serviceField } of this.services) {
      groups.forEach((g, i) => {
        if (!(this.input.groups.get(g) ?? []).length) {
          invalid(this.chart, `${serviceField}.reachedBy[${i}]`, `a group the app has (${field} may only name groups with components)`, g);
        }
      });
    }
  }

  /** Records the model on the chart, for the render's index. */
  public record(): void {
    const model: TrafficModel = {
      namespace: this.input.namespace,
      components: this.input.components.map((c) => ({
        name: c.name,
        podLabels: { ...c.selectorLabels },
        ports: c.listenPorts.map((p) => ({ port: p.port, protocol: p.protocol ?? NetworkProtocol.TCP })),
      })),
      dns: {
        namespace: this.input.dnsNamespace ?? 'kube-system',
        podLabels: { ...(this.input.dnsPodLabels ?? { 'k8s-app': 'kube-dns' }) },
        ports: [{ port: 53, protocol: NetworkProtocol.UDP }, { port: 53, protocol: NetworkProtocol.TCP }],
      },
      namespaces: this.namespaces.map((name) => ({ name })),
      externals: this.externals,
      allowed: this.flows,
    };
    // the gate reads the model with the same check: a model it would refuse is never written
    const errors = modelErrors(model);
    if (errors.length) throw new Error(`chart '${this.chart.node.path}': the traffic model it records is invalid: ${errors.join('; ')}`);
    this.chart.node.addMetadata(TRAFFIC_METADATA, model);
  }

  private addExternalRule(component: IComponent, service: ExternalServiceProps): void {
    const protocol = service.protocol ?? NetworkProtocol.TCP;
    this.rules.push({
      fromComponent: component.name,
      toCidrs: service.cidrs ? [...service.cidrs] : undefined,
      toNamespace: service.namespace,
      toPodLabels: service.podLabels,
      ports: [...service.ports],
      protocol: service.protocol,
    });
    for (const port of service.ports) this.flows.push({ from: { component: component.name }, to: { external: service.name }, port, protocol });
  }

  private checkService(s: ExternalServiceProps, field: string) {
    if (!s || typeof s !== 'object') invalid(this.chart, field, 'an external service { name, ports, cidrs or namespace }', s);
    checkDnsLabel(this.chart, `${field}.name`, s.name);
    if (!Array.isArray(s.ports) || s.ports.length === 0) invalid(this.chart, `${field}.ports`, 'a non-empty list of ports', s.ports);
    s.ports.forEach((p, i) => checkInteger(this.chart, `${field}.ports[${i}]`, p, 1, 65535));
    if (s.protocol !== undefined && !Object.values(NetworkProtocol).includes(s.protocol)) {
      invalid(this.chart, `${field}.protocol`, `one of ${Object.values(NetworkProtocol).join(', ')}`, s.protocol);
    }
    const hasCidrs = Array.isArray(s.cidrs) && s.cidrs.length > 0;
    if (hasCidrs === (s.namespace !== undefined)) invalid(this.chart, `${field}.cidrs/namespace`, 'exactly one of the two', { cidrs: s.cidrs, namespace: s.namespace });
    (s.cidrs ?? []).forEach((cidr, i) => checkCidr(this.chart, `${field}.cidrs[${i}]`, cidr));
    if (s.namespace !== undefined) checkDnsLabel(this.chart, `${field}.namespace`, s.namespace);
    if (s.podLabels !== undefined && s.namespace === undefined) invalid(this.chart, `${field}.podLabels`, 'set only together with namespace', s.podLabels);
    const groups = s.reachedBy ?? [ComponentGroup.APP_CODE];
    groups.forEach((g, i) => {
      if (!Object.values(ComponentGroup).includes(g)) invalid(this.chart, `${field}.reachedBy[${i}]`, `one of ${Object.values(ComponentGroup).join(', ')}`, g);
    });
    return { props: s, groups, field };
  }
}
