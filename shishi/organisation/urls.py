from django.urls import path

from . import views

app_name = "organisation"

urlpatterns = [
    path("", views.index, name="index"),
    path("bodies/", views.bodies, name="bodies"),
    path("tasks/", views.tasks, name="tasks"),
    path("contacts/", views.contacts, name="contacts"),
]
