from django.urls import path

from . import views

app_name = "workorders"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("export/", views.queue_export, name="queue_export"),
    path("centre/", views.centre, name="centre"),
    path("centre/export/", views.centre_export, name="centre_export"),
    path("dispatch/<str:tracking_number>/", views.dispatch, name="dispatch"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("<str:number>/", views.order_detail, name="order"),
    # The order page's moves, each a POST form: workorders:sign, workorders:reply, …
    *[
        path(f"<str:number>/{name}/", views.order_action, {"action": name}, name=name)
        for name in views.ACTIONS
    ],
]
