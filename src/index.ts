// Platform policy that every workload applies.
export { ContainerResources } from './platform/resources';
export { PodHardeningProps } from './platform/hardening';
export { ComponentIdentityProps } from './platform/labels';
export { HorizontalScalingProps, ScalingMetric } from './platform/autoscaling';
export { ProbeTimings } from './platform/web-tier';
export { ComponentPort, IComponent, IHttpComponent } from './platform/component';
export { SecretEnvVar, SecretKeyReference } from './platform/secret-reference';
export { ExtraVolume, ImagePullPolicy, PodOptions, ZoneSpread } from './platform/pod-options';

// Workloads, one construct per component.
export { DjangoSettings, DjangoSettingsProps } from './workloads/django-settings';
export { BrokerKind, BrokerTransportSecurity, CeleryBroker, CeleryBrokerProps } from './workloads/celery-broker';
export { AppServer, DjangoBackend, DjangoBackendOptions, DjangoBackendProps } from './workloads/django-backend';
export { CeleryExecutionPool } from './workloads/celery-execution-pool';
export { CeleryLiveness } from './workloads/celery-liveness';
export { CeleryQueueProps, CeleryWorkerPool, CeleryWorkerPoolOptions, CeleryWorkerPoolProps, PriorityClassManagement, QueuePriority } from './workloads/celery-worker-pool';
export { CeleryBeat, CeleryBeatOptions, CeleryBeatProps } from './workloads/celery-beat';
export { CeleryFlower, CeleryFlowerOptions, CeleryFlowerProps } from './workloads/celery-flower';
export { NuxtFrontend, NuxtFrontendOptions, NuxtFrontendProps } from './workloads/nuxt-frontend';
export { EdgeRouter, EdgeRouterOptions, EdgeRouterProps, EdgeServiceRoute } from './workloads/edge/edge-router';
export { BackendRequestBuffering, ForwardedProto, NginxConfig, NginxConfigOptions, NginxRoutingOptions, NginxServiceRoute, ResolverAddressFamily, S3Scheme } from './workloads/edge/nginx-config';
export {
  CollectStatic, CollectStaticOptions, CollectStaticProps, DjangoManagementJob, DjangoManagementJobProps,
  DjangoMigrations, DjangoMigrationsOptions, DjangoMigrationsProps, JobStep, MigrationStyle,
} from './workloads/django-job';
export { CronConcurrencyPolicy, DjangoCronJob, DjangoCronJobOptions, DjangoCronJobProps, ScheduleState } from './workloads/django-cron-job';
export * from './workloads/stats';

// Namespace-wide policy.
export { SecretStoreKind, SyncedSecret, SyncedSecretKey, SyncedSecretProps } from './platform/external-secret';
export { NamespaceGuardrails, NamespaceGuardrailsProps } from './platform/guardrails';
export { NetworkIsolation, NetworkIsolationProps, NetworkProtocol, TrafficRule } from './platform/network-isolation';

// GitOps: Argo CD objects that sync rendered folders.
export { ArgoCdProject, ArgoCdProjectProps, ArgoCdDestination, ArgoCdResourceKind } from './delivery/gitops/argocd-project';
export { ArgoCdApplication, ArgoCdApplicationProps } from './delivery/gitops/argocd-application';

// A whole Django + Celery app from one props object.
export { DjangoAppChart, DjangoAppChartProps } from './app/django-app-chart';
export { AppEdgeProps, AppFrontendProps, AppSecretStoreProps, AppStatsProps, AppWebServiceProps, ComponentGroup, ExternalServiceProps, NamespaceManagement } from './app/app-parts';

// Delivery: the render, the diff guard and the rendered branch (also the `k8s-topology` CLI).
export { DeliveryApp, DeliveryAppProps, RenderedFolder } from './delivery/delivery-app';
export { ArgoCdFolderProps, ArgoCdPreviewsProps } from './delivery/argocd-folder';
export { Provenance, ProvenanceProps } from './delivery/provenance';
export { ReleasePin, ReleasePins } from './delivery/release-pins';
export { RenderDiff, RenderDiffReport, Violation } from './delivery/manifest-diff';
export { FolderChangeSummary, ImageTagChange } from './delivery/diff-summary';
export { PublishFolderOptions, PublishOptions, PublishResult, RemoveFolderOptions, RenderedBranch } from './delivery/rendered-branch';
export { PreviewEnvironment, PreviewEnvironmentProps } from './app/preview-environment';
