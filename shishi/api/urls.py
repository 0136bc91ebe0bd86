"""The REST API for staff systems, at /api/: the endpoints, the OpenAPI 3
schema and its interactive docs (Swagger UI and Redoc from the project's own
static files, drf-spectacular-sidecar)."""

from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_update
from django.urls import path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from shishi.workorders.api import urlpatterns as work_order_urlpatterns

from .views import appeals, items, not_found, reference

app_name = "api"

# The docs' bundles inject <style> elements as they render, and Redoc starts a
# web worker from a blob: URL; their scripts are files (the Swagger UI page
# loads its setup from ?script, not inline).
_docs_styles = csp_update({"style-src": [UNSAFE_INLINE], "worker-src": [SELF, "blob:"]})

urlpatterns = [
    path("units/", reference.UnitList.as_view(), name="units"),
    path("units/<int:pk>/", reference.UnitDetail.as_view(), name="unit"),
    path("categories/", reference.CategoryList.as_view(), name="categories"),
    path("categories/<int:pk>/", reference.CategoryDetail.as_view(), name="category"),
    path("appeals/", appeals.AppealList.as_view(), name="appeals"),
    path("appeals/<str:tracking_number>/", appeals.AppealDetail.as_view(), name="appeal"),
    path(
        "appeals/<str:tracking_number>/triage/",
        appeals.AppealTriage.as_view(),
        name="appeal_triage",
    ),
    path(
        "appeals/<str:tracking_number>/accept/",
        appeals.AppealAccept.as_view(),
        name="appeal_accept",
    ),
    path(
        "appeals/<str:tracking_number>/answer/",
        appeals.AppealAnswer.as_view(),
        name="appeal_answer",
    ),
    path(
        "appeals/<str:tracking_number>/reject/",
        appeals.AppealReject.as_view(),
        name="appeal_reject",
    ),
    path(
        "appeals/<str:tracking_number>/close/", appeals.AppealClose.as_view(), name="appeal_close"
    ),
    path("items/", items.ItemList.as_view(), name="items"),
    path("items/<str:number>/", items.ItemDetail.as_view(), name="item"),
    path("items/<str:number>/open/", items.ItemOpen.as_view(), name="item_open"),
    path("items/<str:number>/claim/", items.ItemClaim.as_view(), name="item_claim"),
    path("items/<str:number>/reports/", items.ItemReports.as_view(), name="item_reports"),
    path("items/<str:number>/submit/", items.ItemSubmit.as_view(), name="item_submit"),
    path("items/<str:number>/settle/", items.ItemSettle.as_view(), name="item_settle"),
    path("items/<str:number>/send-back/", items.ItemSendBack.as_view(), name="item_send_back"),
    path("items/<str:number>/followups/", items.ItemFollowUps.as_view(), name="item_followups"),
    path("items/<str:number>/suspend/", items.ItemSuspend.as_view(), name="item_suspend"),
    path("items/<str:number>/resume/", items.ItemResume.as_view(), name="item_resume"),
    path("items/<str:number>/reopen/", items.ItemReopen.as_view(), name="item_reopen"),
    path("items/<str:number>/cancel/", items.ItemCancel.as_view(), name="item_cancel"),
    # 工单: /api/orders/… (shishi.workorders.api).
    *work_order_urlpatterns,
    # The schema covers this API only (not Open311): see schema_urls.
    path(
        "schema/",
        SpectacularAPIView.as_view(urlconf="shishi.api.schema_urls"),
        name="schema",
    ),
    path(
        "docs/",
        _docs_styles(SpectacularSwaggerSplitView.as_view(url_name="api:schema")),
        name="docs",
    ),
    path(
        "redoc/",
        _docs_styles(
            SpectacularRedocView.as_view(url_name="api:schema", template_name="api/redoc.html")
        ),
        name="redoc",
    ),
    # Anything else under /api/ is a JSON 404, not the site's HTML page.
    re_path(r"", not_found, name="not_found"),
]
