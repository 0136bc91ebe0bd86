from django.urls import path

from . import views

app_name = "selection"

urlpatterns = [
    path("", views.calls, name="calls"),
    path("<int:pk>/", views.call_detail, name="call"),
    path("<int:pk>/publish/", views.publish, name="publish"),
]
