from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TaskState(models.Model):
    """When a task runs next and who runs it now. Workers claim a run with one
    conditional UPDATE on this row, so two workers never run a task at once,
    and a worker that dies holds it only until its lease ends."""

    name = models.CharField(_("task"), max_length=60, unique=True)
    next_run_at = models.DateTimeField(_("next run"), default=timezone.now)
    locked_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    locked_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    last_started_at = models.DateTimeField(_("last started"), null=True, blank=True)
    last_finished_at = models.DateTimeField(_("last finished"), null=True, blank=True)
    last_result = models.JSONField(_("last result"), default=dict, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    failures = models.PositiveIntegerField(_("failures"), default=0)

    class Meta:
        verbose_name = _("task state")
        verbose_name_plural = _("task states")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
