from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheetsConfig(AppConfig):
    """Spreadsheets in and out: importing appeals and ledger items, exporting lists."""

    name = "shishi.sheets"
    verbose_name = _("Import and export")
