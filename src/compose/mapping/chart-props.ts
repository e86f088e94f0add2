// The parts of DjangoAppChartProps the mapper builds, named once. They are derived from the chart's own
// props type (src/app), so a key the chart does not know, or a value of the wrong shape, is a compile
// error here rather than a main.ts that does not compile.
import { DjangoAppChartProps } from '../../app/django-app-chart';

/** A props object built field by field, in the order main.ts prints them. */
export type Draft<T> = { -readonly [K in keyof T]?: T[K] };

type Part<K extends keyof DjangoAppChartProps> = NonNullable<DjangoAppChartProps[K]>;

export type SettingsProps = Part<'settings'>;
export type BrokerProps = Part<'broker'>;
export type BackendProps = Part<'backend'>;
export type WebServiceProps = Part<'webServices'>[number];
export type WorkersProps = Part<'workers'>;
export type QueueProps = WorkersProps['queues'][number];
export type BeatProps = Part<'beat'>;
export type MigrationsProps = Part<'migrations'>;
export type JobStepProps = NonNullable<MigrationsProps['steps']>[number];
export type CollectStaticProps = Part<'collectStatic'>;
export type FrontendProps = Part<'frontend'>;
export type EdgeProps = Part<'edge'>;
export type FlowerProps = Part<'flower'>;
export type RoutingProps = NonNullable<EdgeProps['routing']>;
export type ExternalServiceProps = DjangoAppChartProps['externalServices'][number];
export type ResourcesProps = BackendProps['resources'];
export type ProbeTimingsProps = NonNullable<BackendProps['probeTimings']>;
export type SecretEnvProps = NonNullable<SettingsProps['secretEnv']>[number];
export type ExtraVolumeProps = NonNullable<BackendProps['extraVolumes']>[number];
/** The PodOptions every workload of the chart takes. */
export type PodOptionsProps = Pick<BackendProps, 'imagePullPolicy' | 'nodeSelector' | 'extraArgs' | 'extraEnv' | 'extraSecretEnv' | 'extraVolumes'>;

/**
 * A finished draft as the part it is. Its keys and the types of its values were checked while it was
 * built; that every required field is set cannot be (the fields are set in the order main.ts prints
 * them), so the generated apps' type-check proves it (test/compose/generated-app.integration.ts).
 */
export function finished<T>(draft: Draft<T>): T {
  return draft as T;
}
