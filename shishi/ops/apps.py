from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OpsConfig(AppConfig):
    """Operations: health checks, backups, the answer while the database is
    down, and the quieter log of expected refusals."""

    name = "shishi.ops"
    label = "ops"
    verbose_name = _("Operations")
