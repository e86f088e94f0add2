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
        broker=t.CeleryBrokerProps(kind=t.BrokerKind.REDIS, secret_name="shop-broker", redis_database_index=2,
                                   redis_password_key="password", transport_security=t.BrokerTransportSecurity.TLS),
        backend=t.DjangoBackendOptions(resources=size, min_replicas=3, max_replicas=10,
                                       image_pull_secrets=["shop-registry"], extra_env={"SHOP_FEATURE": "on"},
                                       service_account_annotations={"eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/shop"},
                                       zone_spread=t.ZoneSpread.PREFERRED),
        workers=t.CeleryWorkerPoolOptions(queues=[
            t.CeleryQueueProps(name="default", priority=t.QueuePriority.NORMAL, resources=size),
            t.CeleryQueueProps(name="monthly_reports", priority=t.QueuePriority.LOW, min_replicas=0, resources=size),
        ]),
        beat=t.CeleryBeatOptions(resources=size, scheduler="django_celery_beat.schedulers:DatabaseScheduler",
                                 liveness=t.CeleryLiveness.NONE),
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

# The props of the Python structs reach the render (jsii drops what it does not know without a word).
rendered = "".join(p.read_text() for p in __import__("pathlib").Path(outdir, "production").glob("*.yaml"))
for needle in ("rediss://$(CELERY_BROKER_ADDRESS)/2", "databaseIndex: \"2\"", "enableTLS: \"true\"", "shop-registry",
               "SHOP_FEATURE", "arn:aws:iam::1:role/shop", "--scheduler=django_celery_beat.schedulers:DatabaseScheduler",
               "--queues=monthly_reports", "whenUnsatisfiable: ScheduleAnyway"):
    assert needle in rendered, f"the render lacks {needle}"
print("props: broker db 2 over TLS, pull secret, extra env, IRSA, beat scheduler, queue monthly_reports, preferred zones")

# Errors name the construct path and the prop as the user wrote it, in a RuntimeError.
try:
    t.CeleryBroker(kind=t.BrokerKind.REDIS, secret_name="shop-broker", redis_database_index=300)
    raise AssertionError("redis_database_index=300 was accepted")
except RuntimeError as e:
    assert "redisDatabaseIndex" in str(e) and "300" in str(e), str(e)
    print(f"error: {str(e).splitlines()[0][:120]}")

result = t.RenderedBranch.publish(source=outdir, repo=repo, author_name="Shop render", author_email="render@shop.example.com")
assert result.commit, result
print(f"publish: {result.branch} {result.commit[:12]}: {result.message.splitlines()[0]}")

render("1.5.0", outdir)
report = t.RenderDiff.compare("rendered", outdir, repo)
assert report.safe and report.changed > 0 and report.added == 0 and report.removed == 0, report.text
print(f"diff: safe, {report.changed} changed, {report.unchanged} unchanged")
