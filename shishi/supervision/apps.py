from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    """督办: supervision orders on overdue items, and the sweeps that find them."""

    name = "shishi.supervision"
    verbose_name = _("Supervision")
