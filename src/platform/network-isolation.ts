import { ApiObject, App, Chart } from 'cdk8s';
import { k8s } from 'cdk8s-plus-27';
import { Construct } from 'constructs';
import { checkDnsLabel, checkEnum, checkInteger, invalid } from './errors';
import { ComponentIdentityProps } from './labels';

/** Transport protocol of a traffic rule. */
export enum NetworkProtocol {
  TCP = 'TCP',
  UDP = 'UDP',
}

/**
 * One allowed flow. The source is a component of this app or a namespace (such as the ingress
 * controller's); the destination is a component or CIDRs outside the cluster.
 */
export interface TrafficRule {
  /**
   * The component (its `app.kubernetes.io/component`) that opens the connection.
   * @default - fromNamespace must be set
   */
  readonly fromComponent?: string;
  /**
   * A namespace, by name, whose pods open the connection.
   * @default - fromComponent must be set
   */
  readonly fromNamespace?: string;
  /**
   * The component that accepts the connection.
   * @default - toCidrs or toNamespace must be set
   */
  readonly toComponent?: string;
  /**
   * Addresses outside the cluster the connection goes to, e.g. `10.20.0.0/16` or `0.0.0.0/0`.
   * @default - toComponent or toNamespace must be set
   */
  readonly toCidrs?: string[];
  /**
   * Another namespace of the cluster, by name, whose pods accept the connection (an in-cluster
   * service of another team). Narrow it to some pods with `toPodLabels`.
   * @default - toComponent or toCidrs must be set
   */
  readonly toNamespace?: string;
  /**
   * With `toNamespace`: the labels of the pods that accept the connection.
   * @default - every pod of `toNamespace`
   */
  readonly toPodLabels?: { [key: string]: string };
  /** Destination ports (the pod's port, not the Service's). */
  readonly ports: number[];
  /**
   * @default NetworkProtocol.TCP
   */
  readonly protocol?: NetworkProtocol;
}

/** Network isolation of one app in one namespace. */
export interface NetworkIsolationProps extends ComponentIdentityProps {
  /** Every flow that is allowed; everything else is denied, in both directions. */
  readonly rules: TrafficRule[];
  /**
   * Namespace of the cluster DNS, which every pod may reach on port 53.
   * @default 'kube-system'
   */
  readonly dnsNamespace?: string;
  /**
   * Labels of the cluster DNS pods.
   * @default { 'k8s-app': 'kube-dns' }
   */
  readonly dnsPodLabels?: { [key: string]: string };
  /**
   * Prefix of the namespace-wide policies' names (`<prefix>-default-deny`, `<prefix>-allow-dns`), for a
   * second installation in the same namespace.
   * @default - no prefix
   */
  readonly namePrefix?: string;
}

const CIDR_V4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;

/** Checks an IPv4 CIDR, including that no bits are set past the prefix. */
export function checkCidr(owner: Construct | string, field: string, cidr: string): string {
  if (!CIDR_V4.test(cidr ?? '')) invalid(owner, field, 'an IPv4 CIDR such as "10.0.0.0/8"', cidr);
  const [ip, bits] = cidr.split('/');
  const value = ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const hostBits = 32 - Number(bits);
  if (hostBits > 0 && value % 2 ** hostBits !== 0) invalid(owner, field, `a network address (no host bits set after /${bits})`, cidr);
  return cidr;
}

/** cdk8s's own resolvers (Lazy values, implicit tokens, number-or-string unions), which every App has. */
const BUILT_IN_RESOLVERS = 3;
const COMPONENT_LABEL = 'app.kubernetes.io/component';

/** A plain dictionary that cdk8s's built-in resolvers pass through unchanged (no Lazy, no token). */
function plainDictionary(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && value.constructor === Object
    && typeof (value as { resolve?: unknown }).resolve !== 'function';
}

/** A JSON patch that neither reads nor writes `spec` (such as removing a cluster-scoped object's namespace). */
function outsideSpec(patch: unknown): boolean {
  const op = (patch as { _toJson?: () => { path?: unknown; from?: unknown } })._toJson?.();
  const touches = (pointer: unknown) => pointer !== undefined && (typeof pointer !== 'string' || pointer === '' || pointer === '/spec' || pointer.startsWith('/spec/'));
  return op !== undefined && typeof op.path === 'string' && !touches(op.path) && !touches(op.from);
}

/** Where an object keeps its pod template: a CronJob one level down, in the Job it creates. */
function podTemplatePath(kind: string): string[] {
  return kind === 'CronJob' ? ['spec', 'jobTemplate', 'spec', 'template'] : ['spec', 'template'];
}

/**
 * The `app.kubernetes.io/component` label of an object's pod template (`spec.template`, or a
 * CronJob's `spec.jobTemplate.spec.template`), as its manifest will carry it. It is read from the props the object was given, not from `toJson()`,
 * which resolves the whole object: the validation runs for every chart, and serializing every
 * object of the chart for one label was a sixth of a render. Where cdk8s could still change the
 * label on the way to the manifest (a JSON patch of `spec`, a custom resolver, a Lazy or token on
 * the way, a class with its own serialization), the object is serialized as before.
 */
function podComponent(o: ApiObject, builtInResolvers: boolean): string | undefined {
  const internals = o as unknown as { props?: unknown; patches?: unknown[] };
  const type = o.constructor as { manifest?: unknown };
  // Plain ApiObjects and generated bindings (KubeDeployment, imported CRDs) keep these field names.
  const ownSerialization = type === ApiObject || (Object.prototype.hasOwnProperty.call(type, 'manifest') && typeof type.manifest === 'function');
  const specUnpatched = Array.isArray(internals.patches) && internals.patches.every(outsideSpec);
  const templatePath = podTemplatePath(o.kind);
  if (builtInResolvers && ownSerialization && specUnpatched && plainDictionary(internals.props)) {
    let node: unknown = internals.props;
    let plain = true;
    for (const field of [...templatePath, 'metadata', 'labels']) {
      node = (node as Record<string, unknown>)[field];
      if (node === undefined) return undefined;
      if (!plainDictionary(node)) {
        plain = false;
        break;
      }
    }
    const label = plain ? (node as Record<string, unknown>)[COMPONENT_LABEL] : undefined;
    if (plain && (label === undefined || label === null || typeof label === 'string')) return label ?? undefined;
  }
  const template = templatePath.reduce((node: any, field) => node?.[field], o.toJson());
  return template?.metadata?.labels?.[COMPONENT_LABEL];
}

/**
 * The `app.kubernetes.io/component` label of every pod template rendered below a scope (Deployments,
 * Jobs, CronJobs, ...), each with the first object that carries it (`Deployment ws`).
 */
export function podTemplateComponents(scope: Construct): Map<string, string> {
  const builtInResolvers = App.of(scope).resolvers.length === BUILT_IN_RESOLVERS;
  const found = new Map<string, string>();
  for (const o of scope.node.findAll()) {
    if (!(o instanceof ApiObject)) continue;
    const component = podComponent(o, builtInResolvers);
    if (component && !found.has(component)) found.set(component, `${o.kind} ${o.name}`);
  }
  return found;
}

/**
 * Default deny for ingress and egress, DNS for every pod, then one NetworkPolicy per component
 * that allows exactly the flows in `rules` — the ingress side on the receiver and the egress
 * side on the sender, since both directions are denied by default.
 */
export class NetworkIsolation extends Construct {
  constructor(scope: Construct, id: string, props: NetworkIsolationProps) {
    super(scope, id);
    const instance = props.instance ?? props.appName;
    const selectorOf = (component: string) => ({
      matchLabels: { 'app.kubernetes.io/name': props.appName, 'app.kubernetes.io/instance': instance, 'app.kubernetes.io/component': component },
    });
    // One peer with both selectors: pods of that namespace AND with those labels (two peers would mean OR).
    const egressPeers = (r: TrafficRule): k8s.NetworkPolicyPeer[] => {
      if (r.toComponent) return [{ podSelector: selectorOf(r.toComponent) }];
      if (r.toNamespace) {
        return [{
          namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.toNamespace } },
          ...(r.toPodLabels ? { podSelector: { matchLabels: { ...r.toPodLabels } } } : {}),
        }];
      }
      return r.toCidrs!.map((cidr) => ({ ipBlock: { cidr } }));
    };
    const rules = props.rules ?? [];
    rules.forEach((r, i) => this.checkRule(r, `rules[${i}]`));

    const prefix = props.namePrefix === undefined ? '' : `${checkDnsLabel(this, 'namePrefix', props.namePrefix, 40)}-`;
    new k8s.KubeNetworkPolicy(this, 'DefaultDeny', {
      metadata: { name: `${prefix}default-deny` },
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    });
    new k8s.KubeNetworkPolicy(this, 'AllowDns', {
      metadata: { name: `${prefix}allow-dns` },
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [{
          to: [{
            namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': props.dnsNamespace ?? 'kube-system' } },
            podSelector: { matchLabels: props.dnsPodLabels ?? { 'k8s-app': 'kube-dns' } },
          }],
          ports: [{ protocol: 'UDP', port: k8s.IntOrString.fromNumber(53) }, { protocol: 'TCP', port: k8s.IntOrString.fromNumber(53) }],
        }],
      },
    });

    const components = [...new Set(rules.flatMap((r) => [r.fromComponent, r.toComponent]).filter((c): c is string => !!c))].sort();
    const ports = (r: TrafficRule) => r.ports.map((port) => ({
      protocol: r.protocol ?? NetworkProtocol.TCP,
      port: k8s.IntOrString.fromNumber(port),
    }));
    for (const component of components) {
      const ingress = rules.filter((r) => r.toComponent === component).map((r) => ({
        from: [r.fromComponent
          ? { podSelector: selectorOf(r.fromComponent) }
          : { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': r.fromNamespace! } } }],
        ports: ports(r),
      }));
      const egress = rules.filter((r) => r.fromComponent === component).map((r) => ({
        to: egressPeers(r),
        ports: ports(r),
      }));
      new k8s.KubeNetworkPolicy(this, `Allow-${component}`, {
        metadata: { name: `allow-${component}`, labels: selectorOf(component).matchLabels },
        spec: {
          podSelector: selectorOf(component),
          policyTypes: [...(ingress.length ? ['Ingress'] : []), ...(egress.length ? ['Egress'] : [])],
          ingress: ingress.length ? ingress : undefined,
          egress: egress.length ? egress : undefined,
        },
      });
    }

    // A rule naming a component that nothing renders would silently allow nothing.
    this.node.addValidation({
      validate: () => {
        const rendered = new Set(podTemplateComponents(Chart.of(this)).keys());
        const known = [...rendered].sort().join(', ');
        return components.filter((c) => !rendered.has(c)).map((c) =>
          `NetworkIsolation '${this.node.path}': rules route to component "${c}", which no workload renders; rendered components: ${known}`);
      },
    });
  }

  private checkRule(r: TrafficRule, field: string): void {
    if (!!r.fromComponent === !!r.fromNamespace) invalid(this, `${field}.fromComponent/fromNamespace`, 'exactly one of the two', r);
    const targets = [r.toComponent, r.toCidrs && r.toCidrs.length ? r.toCidrs : undefined, r.toNamespace].filter((t) => t !== undefined);
    if (targets.length !== 1) invalid(this, `${field}.toComponent/toCidrs/toNamespace`, 'exactly one of the three', r);
    if (r.toPodLabels && !r.toNamespace) invalid(this, `${field}.toPodLabels`, 'set only together with toNamespace', r.toPodLabels);
    if (r.toNamespace) checkDnsLabel(this, `${field}.toNamespace`, r.toNamespace);
    if (r.fromComponent) checkDnsLabel(this, `${field}.fromComponent`, r.fromComponent);
    if (r.fromNamespace) checkDnsLabel(this, `${field}.fromNamespace`, r.fromNamespace);
    if (r.toComponent) checkDnsLabel(this, `${field}.toComponent`, r.toComponent);
    (r.toCidrs ?? []).forEach((cidr, j) => checkCidr(this, `${field}.toCidrs[${j}]`, cidr));
    if (!r.ports || r.ports.length === 0) invalid(this, `${field}.ports`, 'a non-empty list of ports', r.ports);
    if (r.protocol !== undefined) checkEnum(this, `${field}.protocol`, r.protocol, NetworkProtocol);
    r.ports.forEach((port, j) => checkInteger(this, `${field}.ports[${j}]`, port, 1, 65535));
  }
}
