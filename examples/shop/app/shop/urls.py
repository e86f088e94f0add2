from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from shop import assets


def index(request):
    return HttpResponse("shop\n", content_type="text/plain")


urlpatterns = [
    # /healthz/live, /healthz/ready and the chunked uploads (uploads/), from the kit.
    path("", include("k8s_topology_django.urls")),
    path("api/assets/", assets.collection),
    path("api/assets/<uuid:asset_id>", assets.detail),
    path("api/assets/<uuid:asset_id>/download", assets.download),
    path("api/assets/<uuid:asset_id>/thumbnail", assets.thumbnail),
    path("admin/", admin.site.urls),
    path("api/", index),
    path("", index),
]
