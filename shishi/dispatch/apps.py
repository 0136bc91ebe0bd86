from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "shishi.dispatch"
    verbose_name = _("Weekly dispatch")
