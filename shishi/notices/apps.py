from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NoticesConfig(AppConfig):
    """Delivering the notices owed to residents, by e-mail and by SMS."""

    name = "shishi.notices"
    verbose_name = _("Notices to residents")
