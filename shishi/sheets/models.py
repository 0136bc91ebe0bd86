import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportMapping(models.Model):
    """A saved way to read one kind of file: which columns feed which appeal
    fields, and the values every row gets. The built-in presets of
    `shishi.sheets.mappings` need no record; one saved here under the same
    name replaces the built-in."""

    name = models.SlugField(
        _("name"),
        max_length=50,
        unique=True,
        allow_unicode=True,
        help_text=_(
            "Used on the command line (--mapping NAME) and in the keys that make a "
            "second import of the same file store nothing new."
        ),
    )
    description = models.CharField(_("description"), max_length=200, blank=True)
    # {"title": "留言主题", "body": ["内容", "补充说明"], …}: an appeal field and
    # the column header (or headers, joined) it comes from.
    columns = models.JSONField(_("columns"), default=dict)
    # {"channel": "hotline"}: values for fields no column gives.
    defaults = models.JSONField(_("defaults"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import mapping")
        verbose_name_plural = _("import mappings")
        ordering = ["name"]
        permissions = [
            ("import_appeals", _("Can import appeals from spreadsheets")),
            ("import_items", _("Can import ledger items from spreadsheets")),
        ]

    def __str__(self) -> str:
        return self.name


# An import uploaded on the web (shishi/sheets/jobs.py runs it).


class ImportKind(models.TextChoices):
    APPEALS = "appeals", _("appeals")
    ITEMS = "items", _("ledger items")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    CHECKING = "checking", _("checking")
    CHECKED = "checked", _("checked")
    COMMITTING = "committing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("failed")


RUNNING_STATUSES = (ImportStatus.CHECKING, ImportStatus.COMMITTING)


def import_file_path(instance: "ImportJob", filename: str) -> str:
    # The stored name is ours; the uploaded name is kept in original_name only.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{suffix[:8]}"


class ImportJob(models.Model):
    """One uploaded file on its way in: checked, then imported all or nothing."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    file = models.FileField(_("file"), upload_to=import_file_path)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    # A mapping's name, or {"field": "header", …} chosen on the page; None: guessed.
    mapping = models.JSONField(_("mapping"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    # The ImportReport of the last check or import (shishi.sheets.jobs.report_to_data).
    report = models.JSONField(_("report"), default=dict, blank=True)
    failure = models.TextField(_("failure"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.original_name

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES
