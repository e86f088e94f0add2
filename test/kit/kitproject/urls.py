from django.urls import include, path

urlpatterns = [path("", include("k8s_topology_django.urls"))]
