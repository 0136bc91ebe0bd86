from django.urls import path

from . import views

app_name = "liaison"

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("community/<int:pk>/", views.community, name="community"),
]
