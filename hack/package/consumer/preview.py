"""A Python team's deploy app with preview environments, run as the team runs it: `k8s-topology render`
renders staging and the Argo CD folder, with the ApplicationSet of the previews; `k8s-topology preview
render --pr 42` runs it with K8S_TOPOLOGY_PREVIEW_PR=42, and it renders only the preview of pull request 42.
After rendering into CDK8S_OUTDIR it checks what it wrote (the namespace, host and folder derived from the
number) and prints one line per check. The variable is read by the library's runtime when the package is
imported, so it is set before Python starts, as the CLI does; not by os.environ in the app."""
import json
import os
import pathlib
import re

import picvario_k8s_topology as t

DOMAIN = "preview.shop.example.com"
size = t.ContainerResources(cpu_request="250m", cpu_limit="1", memory_request="512Mi", memory_limit="1Gi")


def staging() -> dict:
    """The base environment's chart props, as keyword arguments."""
    return dict(
        app_name="shop", namespace="shop-staging", version="1.5.0-rc.1", image="registry.example.com/shop/api",
        celery_app="shop.celery",
        settings=t.DjangoSettingsProps(settings_module="shop.settings", secret_name="shop-app",
                                       media_bucket="shop-staging-media", static_bucket="shop-staging-static",
                                       s3_region="eu-west-1"),
        broker=t.CeleryBrokerProps(kind=t.BrokerKind.REDIS, secret_name="shop-broker"),
        backend=t.DjangoBackendOptions(resources=size, min_replicas=2, max_replicas=4),
        workers=t.CeleryWorkerPoolOptions(queues=[t.CeleryQueueProps(name="default", priority=t.QueuePriority.NORMAL, resources=size)]),
        edge=t.AppEdgeProps(host="staging.shop.example.com", ingress_namespace="ingress-nginx", resources=size),
        external_services=[
            t.ExternalServiceProps(name="postgres", cidrs=["10.61.1.0/24"], ports=[5432]),
            t.ExternalServiceProps(name="redis", cidrs=["10.61.2.0/24"], ports=[6379]),
            t.ExternalServiceProps(name="s3", cidrs=["52.218.0.0/17"], ports=[443],
                                   reached_by=[t.ComponentGroup.APP_CODE, t.ComponentGroup.EDGE]),
        ],
    )


def objects(folder: pathlib.Path) -> list:
    return json.loads((folder / "index.json").read_text())["objects"]


preview = t.PreviewEnvironment.from_environment(DOMAIN)
# The package's name and version come from pyproject.toml; a preview render holds only its own folder.
app = t.DeliveryApp(annotation_domain="shop.example.com", argo_cd=None if preview else t.ArgoCdFolderProps(
    repo_url="https://git.example.com/shop/deploy.git", previews=t.ArgoCdPreviewsProps()))
if preview:
    preview.add_chart(app, **staging())
else:
    t.DjangoAppChart(app, "staging", **staging())
names = [f.name for f in app.render_folders()]
app.synth()
outdir = pathlib.Path(os.environ["CDK8S_OUTDIR"])

if not preview:
    assert names == ["staging", "argocd"], names
    previews_yaml = (outdir / "argocd" / "previews.yaml").read_text()
    assert [(o["kind"], o["name"]) for o in objects(outdir / "argocd") if o["kind"] == "ApplicationSet"] \
        == [("ApplicationSet", "shop-previews")], previews_yaml
    assert "path: previews/*" in previews_yaml, previews_yaml
    # Each Application's namespace: shop-<folder under previews/>, the preview's namespace for its folder.
    assert re.search(r"^\s+namespace: shop-\{\{\.path\.basename\}\}$", previews_yaml, re.M), previews_yaml
    print("base: staging and argocd, ApplicationSet shop-previews over previews/*, namespace shop-{{.path.basename}}")
else:
    assert (preview.pull_request, preview.folder, preview.host) == (42, "pr-42", "pr-42.preview.shop.example.com"), preview
    assert preview.namespace_for("shop") == "shop-pr-42"
    assert names == ["pr-42"], names
    rendered = objects(outdir / "pr-42")
    assert {o.get("namespace") for o in rendered} == {"shop-pr-42"}, sorted({str(o.get("namespace")) for o in rendered})
    ingress = (outdir / "pr-42" / next(o["file"] for o in rendered if o["kind"] == "Ingress")).read_text()
    assert re.findall(r"^\s+- host: (\S+)$", ingress, re.M) == ["pr-42.preview.shop.example.com"], ingress
    assert not any(o["kind"] in ("Namespace", "PriorityClass") for o in rendered)
    print(f"preview: {preview.folder}, namespace shop-pr-42, host {preview.host}, {len(rendered)} objects, no cluster-scoped one")
