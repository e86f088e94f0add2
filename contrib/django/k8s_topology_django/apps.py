from django.apps import AppConfig


class K8sTopologyConfig(AppConfig):
    name = "k8s_topology_django"
    label = "k8s_topology"
    verbose_name = "Kubernetes topology"
    default_auto_field = "django.db.models.BigAutoField"
