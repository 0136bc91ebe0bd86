from django.urls import path

from . import views

app_name = "sheets"

urlpatterns = [
    path("import/", views.start, name="start"),
    path("import/<int:pk>/", views.job, name="job"),
    path("import/<int:pk>/columns/", views.columns, name="columns"),
    path("import/<int:pk>/check/", views.check, name="check"),
    path("import/<int:pk>/commit/", views.commit, name="commit"),
    path("import/<int:pk>/errors.xlsx", views.error_sheet, name="errors"),
]
