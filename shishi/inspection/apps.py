from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InspectionConfig(AppConfig):
    name = "shishi.inspection"
    verbose_name = _("inspection")
