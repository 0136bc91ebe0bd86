from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.ledger_list, name="ledger"),
    path("items/<str:number>/", views.item_detail, name="item"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", views.track_detail, name="track_detail"),
    path("track/<str:tracking_number>/rate/", views.track_rate, name="track_rate"),
    path("appeals/new/", views.appeal_new, name="appeal_new"),
    path("files/appeals/<int:pk>/", views.appeal_photo, name="appeal_photo"),
]
