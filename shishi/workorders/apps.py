from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkOrdersConfig(AppConfig):
    name = "shishi.workorders"
    verbose_name = _("Work orders")
