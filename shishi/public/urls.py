from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("", views.ledger_list, name="ledger"),
    path("items/<str:number>/", views.item_detail, name="item"),
    path("track/", views.track, name="track"),
    path("track/<str:tracking_number>/", views.track_detail, name="track_detail"),
]
