// Platform policy that every workload applies.
export { ContainerResources } from './platform/resources';
export { PodHardeningProps } from './platform/hardening';
export { ComponentIdentityProps } from './platform/labels';
export { HorizontalScalingProps } from './platform/autoscaling';

// Workloads, one construct per component.
export { DjangoSettings, DjangoSettingsProps, SecretEnvVar } from './workloads/django-settings';
export { BrokerKind, CeleryBroker, CeleryBrokerProps } from './workloads/celery-broker';
export { AppServer, DjangoBackend, DjangoBackendProps } from './workloads/django-backend';
export { CeleryQueueProps, CeleryWorkerPool, CeleryWorkerPoolProps, QueuePriority } from './workloads/celery-worker-pool';
export { CeleryBeat, CeleryBeatProps } from './workloads/celery-beat';

// GitOps: Argo CD objects that sync rendered folders.
export { ArgoCdProject, ArgoCdProjectProps, ArgoCdDestination, ArgoCdResourceKind } from './platform/gitops/argocd-project';
export { ArgoCdApplication, ArgoCdApplicationProps } from './platform/gitops/argocd-application';

// Components of the whole topology.
export { NuxtFrontend, NuxtFrontendProps } from './workloads/nuxt-frontend';
export { EdgeRouter, EdgeRouterProps } from './workloads/edge/edge-router';
export { BackendRequestBuffering, ForwardedProto, NginxConfig, NginxConfigOptions, ResolverAddressFamily, S3Scheme } from './workloads/edge/nginx-config';
export { CollectStatic, CollectStaticProps, DjangoManagementJob, DjangoManagementJobProps, DjangoMigrations, DjangoMigrationsProps, JobStep } from './workloads/django-job';
export { SecretStoreKind, SyncedSecret, SyncedSecretKey, SyncedSecretProps } from './platform/external-secret';
export { NamespaceGuardrails, NamespaceGuardrailsProps } from './platform/guardrails';
export { NetworkIsolation, NetworkIsolationProps, NetworkProtocol, TrafficRule } from './platform/network-isolation';

// The usage-statistics pipeline.
export * from './workloads/stats';
