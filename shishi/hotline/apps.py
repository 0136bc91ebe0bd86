from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class HotlineConfig(AppConfig):
    """话务受理: staff record a call, a walk-in or a letter on one page."""

    name = "shishi.hotline"
    verbose_name = _("Hotline intake")
