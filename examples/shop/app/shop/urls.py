from django.contrib import admin
from django.http import HttpResponse
from django.urls import path

from shop import health


def index(request):
    return HttpResponse("shop\n", content_type="text/plain")


urlpatterns = [
    path("healthz/live", health.live),
    path("healthz/ready", health.ready),
    path("admin/", admin.site.urls),
    path("api/", index),
    path("", index),
]
