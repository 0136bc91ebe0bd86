from django.urls import path

from . import views

app_name = "programmes"

urlpatterns = [
    path("", views.programme_list, name="list"),
    path("figures/<slug:key>/", views.figure, name="figure"),
    path("import/<slug:register>/", views.register_import_view, name="import"),
    path("export/<slug:register>/", views.register_export, name="export"),
    path("visits/new/", views.visit_new, name="visit_new"),
    path("visits/<int:pk>/", views.visit_detail, name="visit"),
    path("claims/new/", views.claim_new, name="claim_new"),
    path("<slug:code>/", views.programme_detail, name="detail"),
]
