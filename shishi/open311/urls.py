from django.urls import path, re_path

from . import views

app_name = "open311"

# The format is any word, so an unknown one gets the spec's error, not Django's 404 page.
urlpatterns = [
    path("discovery.<slug:fmt>", views.discovery, name="discovery"),
    path("services.<slug:fmt>", views.services, name="services"),
    re_path(
        r"^services/(?P<code>[-\w]+)\.(?P<fmt>\w+)$",
        views.service_definition,
        name="service_definition",
    ),
    path("requests.<slug:fmt>", views.requests, name="requests"),
    re_path(r"^requests/(?P<number>[-\w]+)\.(?P<fmt>\w+)$", views.request_detail, name="request"),
    re_path(r"^tokens/(?P<token>[-\w]+)\.(?P<fmt>\w+)$", views.token, name="token"),
    path("servicerequestupdates.<slug:fmt>", views.request_updates, name="updates"),
]
