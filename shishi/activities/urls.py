from django.urls import path

from . import views

app_name = "activities"

urlpatterns = [
    path("meetings/", views.meetings, name="meetings"),
    path("lectures/", views.lectures, name="lectures"),
]
