from django.urls import path

from .views import rates, summary, weekly

app_name = "reports"

urlpatterns = [
    # ?week=2021-W40 (default: this week); ?format=xlsx|pdf downloads the same report.
    path("weekly/", weekly.bulletin, name="weekly"),
    # ?format=pdf downloads the same report.
    path("summary/", summary.summary, name="summary"),
    # ?from=2025-01-01&to=2025-12-31; ?format=csv|xlsx|html downloads the same figures.
    path("rates/", rates.rates_page, name="rates"),
]
