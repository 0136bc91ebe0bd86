"""The URLconf the OpenAPI schema is generated from: the REST API alone, at
the path it is served under (Open311 has its own specification)."""

from django.urls import include, path

urlpatterns = [path("api/", include("shishi.api.urls"))]
