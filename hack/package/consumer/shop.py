"""The same app as shop.js, from the Python package: render, publish and diff with the library's calls.

`python shop.py <outdir> <repo>`: renders into <outdir>, publishes it to the rendered branch of <repo>,
renders again with a new version and compares, and prints one line per check."""
import sys

import picvario_k8s_topology as t

outdir, repo = sys.argv[1], sys.argv[2]
size = t.ContainerResources(cpu_request="250m", cpu_limit="1", memory_request="512Mi", memory_limit="1Gi")


def render(version: str, folder: str) -> list:
    app = t.DeliveryApp(
        outdir=folder, package_name="shop-deploy-py", package_version="5.0.1", annotation_domain="shop.example.com",
        argo_cd=t.ArgoCdFolderProps(repo_url="https://git.example.com/shop/deploy.git"),
    )
    t.DjangoAppChart(
        app, "production",
        app_name="shop", namespace="shop", version=version, image="registry.example.com/shop/api", celery_app="shop.celery",
        settings=t.DjangoSettingsProps(settings_module="shop.settings", secret_name="shop-app", media_bucket="shop-media",
                                       static_bucket="shop-static", s3_region="eu-west-1"),
        broker=t.CeleryBrokerProps(kind=t.BrokerKind.REDIS, secret_name="shop-broker"),
        backend=t.DjangoBackendOptions(resources=size, min_replicas=3, max_replicas=10),
        workers=t.CeleryWorkerPoolOptions(queues=[
            t.CeleryQueueProps(name="default", priority=t.QueuePriority.NORMAL, resources=size),
            t.CeleryQueueProps(name="reports", priority=t.QueuePriority.LOW, min_replicas=0, resources=size),
        ]),
        beat=t.CeleryBeatOptions(resources=size),
        external_services=[
            t.ExternalServiceProps(name="postgres", cidrs=["10.60.1.0/24"], ports=[5432]),
            t.ExternalServiceProps(name="redis", cidrs=["10.60.2.0/24"], ports=[6379]),
        ],
    )
    folders = app.render_folders()
    app.synth()
    return folders


folders = render("1.4.0", outdir)
assert [f.name for f in folders] == ["production", "argocd"], [f.name for f in folders]
print("render: " + "; ".join(f.summary for f in folders))

result = t.RenderedBranch.publish(source=outdir, repo=repo, author_name="Shop render", author_email="render@shop.example.com")
assert result.commit, result
print(f"publish: {result.branch} {result.commit[:12]}: {result.message.splitlines()[0]}")

render("1.5.0", outdir)
report = t.RenderDiff.compare("rendered", outdir, repo)
assert report.safe and report.changed > 0 and report.added == 0 and report.removed == 0, report.text
print(f"diff: safe, {report.changed} changed, {report.unchanged} unchanged")
