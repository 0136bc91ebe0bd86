from django.urls import path

from . import views

app_name = "reminders"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("<int:pk>/read/", views.read, name="read"),
    path("read-all/", views.read_all, name="read_all"),
]
