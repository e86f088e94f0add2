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
