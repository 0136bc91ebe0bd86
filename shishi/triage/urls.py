from django.urls import path

from . import views

app_name = "triage"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("bulk/", views.bulk, name="bulk"),
    path("export/", views.queue_export, name="queue_export"),
    path("new-item/", views.item_new, name="item_new"),
    path("hot/", views.hot_issues, name="hot"),
    # Before the appeal route, which would take any single path segment.
    path("item-suggestions/", views.item_suggestions, name="item_suggestions"),
    path("<str:tracking_number>/", views.appeal_detail, name="appeal"),
]
