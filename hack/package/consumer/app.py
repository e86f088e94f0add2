"""The same consumer app as app.js, written against the Python package: `python app.py <outdir>`."""
import sys

from cdk8s import App, Chart
import picvario_k8s_topology as t

app = App(outdir=sys.argv[1])
chart = Chart(app, "shop", namespace="shop", disable_resource_name_hashes=True)
settings = t.DjangoSettings(
    settings_module="shop.settings", secret_name="shop-app",
    media_bucket="shop-media", static_bucket="shop-static", s3_region="eu-central-1",
)
broker = t.CeleryBroker(kind=t.BrokerKind.REDIS, secret_name="shop-broker")
resources = t.ContainerResources(cpu_request="250m", cpu_limit="1", memory_request="512Mi", memory_limit="1Gi")
image = dict(app_name="shop", image="registry.example/shop/backend", tag="1.0.0", settings=settings, broker=broker)
t.DjangoBackend(chart, "backend", resources=resources, min_replicas=2, max_replicas=4, **image)
t.CeleryWorkerPool(
    chart, "workers", celery_app="shop.celery",
    queues=[
        t.CeleryQueueProps(name="default", priority=t.QueuePriority.NORMAL, min_replicas=1, max_replicas=3, resources=resources),
        t.CeleryQueueProps(name="media", priority=t.QueuePriority.HIGH, min_replicas=0, max_replicas=5, resources=resources),
    ],
    **image,
)
app.synth()
