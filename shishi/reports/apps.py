from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    """The weekly bulletin (周调度通报) and the campaign summary (综述)."""

    name = "shishi.reports"
    verbose_name = _("Reports")
