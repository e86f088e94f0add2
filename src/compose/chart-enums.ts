// The public enums DjangoAppChartProps uses, by the prop that holds them. The mapper builds the props
// with the real enum values (strings at run time); the printer looks a string up here by the name of
// its prop to write `Enum.MEMBER` into main.ts, as a team would. Within DjangoAppChartProps each of
// these prop names holds only its enum (or a list of it), so the name alone decides.
import { ComponentGroup, NamespaceManagement } from '../app/app-parts';
import { ScalingMetric } from '../platform/autoscaling';
import { SecretStoreKind } from '../platform/external-secret';
import { ImagePullPolicy, ZoneSpread } from '../platform/pod-options';
import { BrokerKind, BrokerTransportSecurity } from '../workloads/celery-broker';
import { CeleryExecutionPool } from '../workloads/celery-execution-pool';
import { CeleryLiveness } from '../workloads/celery-liveness';
import { PriorityClassManagement, QueuePriority } from '../workloads/celery-worker-pool';
import { AppServer } from '../workloads/django-backend';
import { CronConcurrencyPolicy, ScheduleState } from '../workloads/django-cron-job';
import { MigrationStyle } from '../workloads/django-job';
import { BackendRequestBuffering, ForwardedProto, ResolverAddressFamily, S3Scheme } from '../workloads/edge/nginx-config';
import { IndexTemplateManagement } from '../workloads/stats/logstash';

/** An enum as TypeScript compiles it: member name → value. */
type EnumObject = Record<string, string>;

/** Prop name → [the enum's exported name, the enum]. */
const ENUM_PROPS: Record<string, [string, EnumObject]> = {
  backendRequestBuffering: ['BackendRequestBuffering', BackendRequestBuffering],
  concurrencyPolicy: ['CronConcurrencyPolicy', CronConcurrencyPolicy],
  forwardedProto: ['ForwardedProto', ForwardedProto],
  imagePullPolicy: ['ImagePullPolicy', ImagePullPolicy],
  indexTemplate: ['IndexTemplateManagement', IndexTemplateManagement],
  kind: ['BrokerKind', BrokerKind],
  liveness: ['CeleryLiveness', CeleryLiveness],
  namespaceManagement: ['NamespaceManagement', NamespaceManagement],
  pool: ['CeleryExecutionPool', CeleryExecutionPool],
  priority: ['QueuePriority', QueuePriority],
  priorityClassManagement: ['PriorityClassManagement', PriorityClassManagement],
  reachedBy: ['ComponentGroup', ComponentGroup],
  resolverAddressFamily: ['ResolverAddressFamily', ResolverAddressFamily],
  s3Scheme: ['S3Scheme', S3Scheme],
  scalingMetrics: ['ScalingMetric', ScalingMetric],
  scheduleState: ['ScheduleState', ScheduleState],
  server: ['AppServer', AppServer],
  storeKind: ['SecretStoreKind', SecretStoreKind],
  style: ['MigrationStyle', MigrationStyle],
  transportSecurity: ['BrokerTransportSecurity', BrokerTransportSecurity],
  zoneSpread: ['ZoneSpread', ZoneSpread],
};

/** An enum member as main.ts writes it. */
export interface EnumMember {
  /** The enum's exported name, for the import line. */
  readonly enumName: string;
  readonly member: string;
}

/**
 * The enum member a string at a path of the props is (`workers.queues[0].priority`: the prop is
 * `priority`), or undefined when that prop holds no enum. A value that is not a member of the prop's
 * enum is a mapping error, refused here rather than written as a string that main.ts cannot compile.
 */
export function enumMemberAt(at: string, value: string): EnumMember | undefined {
  const prop = /([A-Za-z_$][\w$]*)(?:\[\d+\])*$/.exec(at)?.[1];
  const entry = prop !== undefined && Object.prototype.hasOwnProperty.call(ENUM_PROPS, prop) ? ENUM_PROPS[prop] : undefined;
  if (!entry) return undefined;
  const [enumName, values] = entry;
  const member = Object.keys(values).find((k) => values[k] === value);
  if (member === undefined) {
    throw new Error(`${at}: ${JSON.stringify(value)} is not a member of ${enumName} (accepted: ${Object.values(values).map((v) => JSON.stringify(v)).join(', ')})`);
  }
  return { enumName, member };
}
