from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class JobsConfig(AppConfig):
    """Background tasks: run in-process by `shishi worker`, or on Celery."""

    name = "shishi.jobs"
    verbose_name = _("Background jobs")
