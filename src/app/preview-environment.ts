import { Construct } from 'constructs';
import { NamespaceManagement } from './app-parts';
import { DjangoAppChart, DjangoAppChartProps } from './django-app-chart';
import { clusterNamePrefixOf } from '../platform/cluster-scoped';
import { checkDnsLabel, invalid } from '../platform/errors';
import { PriorityClassManagement } from '../workloads/celery-worker-pool';

/** The environment variable `k8s-topology preview render --pr <n>` sets for the app. */
export const PREVIEW_PR_VARIABLE = 'K8S_TOPOLOGY_PREVIEW_PR';
const MAX_PR = 999_999_999;
const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Which pull request a {@link PreviewEnvironment} renders, and under which domain. */
export interface PreviewEnvironmentProps {
  /** The pull request number, a positive integer. */
  readonly pullRequest: number;
  /** The domain the previews are served under: the host of PR 123 is `pr-123.<domain>`. */
  readonly domain: string;
}

/** Checks a pull request number: a positive integer, as `--pr` and the props take it. */
export function checkPullRequest(owner: string, field: string, value: unknown): number {
  const n = typeof value === 'string' && /^[0-9]+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_PR) {
    invalid(owner, field, `a pull request number, an integer from 1 to ${MAX_PR}`, value);
  }
  return n;
}

/**
 * The environment of one pull request: a namespace `<appName>-pr-<n>`, a host `pr-<n>.<domain>`
 * and a rendered folder `pr-<n>` (published to `previews/pr-<n>/` of the rendered branch, which an
 * Argo CD ApplicationSet turns into an Application). {@link chartProps} derives a preview's chart
 * from the base environment's props: same code and release, the base's shared cluster-scoped
 * objects (the workers' PriorityClasses) instead of copies, and a namespace Argo CD creates.
 */
export class PreviewEnvironment {
  /**
   * The preview `k8s-topology preview render --pr <n>` asks for (through `K8S_TOPOLOGY_PREVIEW_PR`),
   * or undefined when the app renders its ordinary environments.
   */
  public static fromEnvironment(domain: string): PreviewEnvironment | undefined {
    const value = process.env[PREVIEW_PR_VARIABLE];
    if (value === undefined || value === '') return undefined;
    return new PreviewEnvironment({ pullRequest: checkPullRequest(PREVIEW_PR_VARIABLE, 'value', value), domain });
  }

  /** The pull request number. */
  public readonly pullRequest: number;
  /** The rendered folder and the chart id, `pr-<n>`. */
  public readonly folder: string;
  /** The public host, `pr-<n>.<domain>`. */
  public readonly host: string;

  constructor(props: PreviewEnvironmentProps) {
    this.pullRequest = checkPullRequest('PreviewEnvironment', 'pullRequest', props.pullRequest);
    if (typeof props.domain !== 'string' || !DNS_NAME.test(props.domain)) {
      invalid('PreviewEnvironment', 'domain', 'a DNS name in lowercase, such as "preview.example.com"', props.domain);
    }
    this.folder = `pr-${this.pullRequest}`;
    this.host = `${this.folder}.${props.domain}`;
    if (this.host.length > 253) invalid('PreviewEnvironment', 'domain', `short enough for the host "${this.folder}.<domain>" to fit 253 characters`, props.domain);
  }

  /** The namespace of the preview of an app, `<appName>-pr-<n>` (a DNS label of at most 63 characters). */
  public namespaceFor(appName: string): string {
    return checkDnsLabel('PreviewEnvironment', 'namespace (<appName>-pr-<n>)', `${appName}-${this.folder}`);
  }

  /**
   * The props of the preview's chart, from the base environment's: the namespace `<appName>-pr-<n>`
   * (which Argo CD creates, so the preview renders no Namespace), the instance `<instance>-pr-<n>`,
   * the edge's host `pr-<n>.<domain>` (the base's additional hosts under its host follow it there:
   * `*.app.example.com` becomes `*.pr-<n>.<domain>`; the others stay the base's alone), and workers
   * that use the base environment's PriorityClasses instead of rendering their own. Everything else
   * (release, image, settings, parts) is the base's.
   */
  public chartProps(base: DjangoAppChartProps): DjangoAppChartProps {
    const namespace = this.namespaceFor(base.appName);
    const instance = checkDnsLabel('PreviewEnvironment', 'instance (<instance>-pr-<n>)', `${base.instance ?? base.appName}-${this.folder}`);
    const workers = base.workers === undefined ? undefined : {
      ...base.workers,
      // The base environment's names, as its chart derives them.
      priorityClassPrefix: base.workers.priorityClassPrefix
        ?? `${clusterNamePrefixOf(base.instance, base.namespace, base.appName)}-${base.workers.namePrefix ?? (base.namePrefix ? `${base.namePrefix}-worker` : 'worker')}`,
      priorityClassManagement: PriorityClassManagement.EXISTING,
    };
    return {
      ...base,
      namespace,
      instance,
      namespaceManagement: NamespaceManagement.EXISTING,
      edge: base.edge === undefined ? undefined : { ...base.edge, host: this.host, additionalHosts: this.additionalHostsFor(base.edge) },
      workers,
    };
  }

  // A preview must never claim a host of its base environment: a tenant's subdomain of the base host
  // becomes the same subdomain of the preview's host, and any other name is left to the base.
  private additionalHostsFor(edge: NonNullable<DjangoAppChartProps['edge']>): string[] | undefined {
    const suffix = `.${edge.host}`;
    const moved = (edge.additionalHosts ?? []).filter((h) => h.endsWith(suffix)).map((h) => `${h.slice(0, -suffix.length)}.${this.host}`);
    return moved.length ? moved : undefined;
  }

  /**
   * Adds the preview's chart to an app: `new DjangoAppChart(scope, folder, chartProps(base))` in one
   * call. In Python and the other jsii languages the base props are keyword arguments here
   * (`preview.add_chart(app, app_name=..., ...)`), where {@link chartProps}'s result would have to be
   * unpacked by hand.
   */
  public addChart(scope: Construct, base: DjangoAppChartProps): DjangoAppChart {
    return new DjangoAppChart(scope, this.folder, this.chartProps(base));
  }
}
