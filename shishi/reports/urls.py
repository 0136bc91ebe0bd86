from django.urls import path

from .views import summary, weekly

app_name = "reports"

urlpatterns = [
    # ?week=2021-W40 (default: this week); ?format=xlsx|pdf downloads the same report.
    path("weekly/", weekly.bulletin, name="weekly"),
    # ?format=pdf downloads the same report.
    path("summary/", summary.summary, name="summary"),
]
