from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TriageConfig(AppConfig):
    name = "shishi.triage"
    verbose_name = _("Intake and triage")
