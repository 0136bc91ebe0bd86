from django.urls import path

from . import views

app_name = "inspection"

urlpatterns = [
    path("", views.visits, name="visits"),
    path("coverage/", views.coverage_view, name="coverage"),
]
