from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RemindersConfig(AppConfig):
    """In-app reminders for staff (and their e-mail copies), written by the sweeps."""

    name = "shishi.reminders"
    verbose_name = _("Reminders")
