from django.urls import path

from . import views
from .actions import ACTIONS

app_name = "dispatch"

urlpatterns = [
    path("items/", views.my_items, name="my_items"),
    path("claims/", views.claimable, name="claimable"),
    path("verification/", views.verification, name="verification"),
    path("overdue/", views.overdue, name="overdue"),
    path("evidence/<int:pk>/", views.evidence_file, name="evidence"),
    # Each list as .xlsx or CSV (?format=csv), with the list's filters.
    path("export/items/", views.my_items_export, name="my_items_export"),
    path("export/claims/", views.claimable_export, name="claimable_export"),
    path("export/verification/", views.verification_export, name="verification_export"),
    path("export/overdue/", views.overdue_export, name="overdue_export"),
    path("items/<str:number>/", views.item_detail, name="item"),
    path("items/<str:number>/report/", views.report, name="report"),
    path("items/<str:number>/claim/", views.claim, name="claim"),
    # The item page's other actions, each a POST form: dispatch:open, dispatch:settle, …
    *[
        path(
            f"items/<str:number>/{name.replace('_', '-')}/",
            views.item_action,
            {"action": name},
            name=name,
        )
        for name in ACTIONS
        if name != "claim"
    ],
]
