from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("shishi.accounts.urls")),
    path("intake/hotline/", include("shishi.hotline.urls")),
    path("intake/", include("shishi.triage.urls")),
    path("work/", include("shishi.dispatch.urls")),
    path("orders/", include("shishi.workorders.urls")),
    path("dashboard/", include("shishi.dashboard.urls")),
    path("sheets/", include("shishi.sheets.urls")),
    path("reports/", include("shishi.reports.urls")),
    path("api/", include("shishi.api.urls")),
    path("supervision/", include("shishi.supervision.urls")),
    path("reminders/", include("shishi.reminders.urls")),
    path("open311/v2/", include("shishi.open311.urls")),
    path("", include("shishi.ops.urls")),
    path("programmes/", include("shishi.programmes.urls")),
    # The campaign's organisation and activities (issue 16).
    path("campaign/", include("shishi.organisation.urls")),
    path("campaign/inspection/", include("shishi.inspection.urls")),
    path("campaign/activities/", include("shishi.activities.urls")),
    path("campaign/liaison/", include("shishi.liaison.urls")),
    path("campaign/selection/", include("shishi.selection.urls")),
    path("", include("shishi.public.urls")),
]
