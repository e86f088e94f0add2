"""``path("", include("k8s_topology_django.urls"))``: the health endpoints (also answered by the middleware,
for projects that leave it out) and the uploads."""
from django.urls import path

from . import health, views

app_name = "k8s_topology"

urlpatterns = [
    path("healthz/live", health.live, name="live"),
    path("healthz/ready", health.ready, name="ready"),
    path("upload/", views.start, name="upload-start"),
    path("upload/<uuid:upload_id>/parts/<int:number>", views.part, name="upload-part"),
    path("upload/<uuid:upload_id>/complete", views.complete, name="upload-complete"),
    path("upload/<uuid:upload_id>", views.abort, name="upload-abort"),
]
