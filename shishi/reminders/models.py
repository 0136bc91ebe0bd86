from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Reason(models.TextChoices):
    APPEALS_ACK_DUE = "appeals_ack_due", _("appeals to acknowledge")
    APPEALS_RESPOND_DUE = "appeals_respond_due", _("appeals to answer")
    ITEM_DUE_SOON = "item_due_soon", _("item deadline approaching")
    ITEM_OVERDUE = "item_overdue", _("item overdue")
    REPORT_MISSING = "report_missing", _("weekly report missing")
    ORDER_ISSUED = "order_issued", _("supervision order issued")
    ORDER_ANSWERED = "order_answered", _("supervision order answered")
    ORDER_SENT_BACK = "order_sent_back", _("supervision order sent back")
    ORDER_ANSWER_OVERDUE = "order_answer_overdue", _("supervision order answer overdue")
    # Work orders (shishi.workorders): a resident was not satisfied; the centre
    # sent an order back to its unit (重办).
    WORK_ORDER_DISSATISFIED = "work_order_dissatisfied", _("work order rated dissatisfied")
    WORK_ORDER_REHANDLE = "work_order_rehandle", _("work order to re-handle")


# What each reminder says, filled from its params when it is shown (in the
# reader's language) or mailed. Counts are written as figures, so one form
# serves every number.
MESSAGES = {
    Reason.APPEALS_ACK_DUE: _(
        "Appeals to acknowledge: %(overdue)d past the deadline, %(due_soon)d due soon."
    ),
    Reason.APPEALS_RESPOND_DUE: _(
        "Appeals to answer: %(overdue)d past the deadline, %(due_soon)d due soon."
    ),
    Reason.ITEM_DUE_SOON: _("The item “%(number)s %(title)s” is due on %(deadline)s."),
    Reason.ITEM_OVERDUE: _("The item “%(number)s %(title)s” is overdue since %(deadline)s."),
    Reason.REPORT_MISSING: _(
        "The item “%(number)s %(title)s” has no progress report for week %(week)s yet."
    ),
    Reason.ORDER_ISSUED: _(
        "Supervision order %(order)s on “%(subject)s”: answer by %(answer_due)s."
    ),
    Reason.ORDER_ANSWERED: _("Supervision order %(order)s on “%(subject)s” has been answered."),
    Reason.ORDER_SENT_BACK: _(
        "Supervision order %(order)s on “%(subject)s” was sent back: answer again by %(answer_due)s."
    ),
    Reason.ORDER_ANSWER_OVERDUE: _(
        "Supervision order %(order)s on “%(subject)s” was to be answered by %(answer_due)s."
    ),
    Reason.WORK_ORDER_DISSATISFIED: _(
        "The resident is not satisfied with work order %(order)s “%(title)s” of %(unit)s."
    ),
    Reason.WORK_ORDER_REHANDLE: _(
        "Work order %(order)s “%(title)s” is back with %(unit)s to be handled again by %(due)s."
    ),
}


class MailStatus(models.TextChoices):
    NONE = "none", _("no e-mail")
    PENDING = "pending", _("to send")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class ReminderQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def for_user(self, user):
        return self.filter(recipient=user)


class Reminder(models.Model):
    """A reminder to one member of staff. Its key (recipient, reason, subject,
    period) is unique, so a sweep that runs twice writes nothing twice."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        # Reminders are transient notices, not records: they go with the account.
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    # What it is about, as "item:42", "order:7"; empty for a digest of many appeals.
    subject = models.CharField(_("subject"), max_length=60, blank=True)
    # Which round of reminding: "2026-W48" (weekly), "2026-11-29T08" (a digest
    # window), a deadline's date (a moved deadline reminds again), or "" (once).
    period = models.CharField(_("period"), max_length=30, blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    link = models.CharField(_("link"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    mail_status = models.CharField(
        _("e-mail"), max_length=10, choices=MailStatus.choices, default=MailStatus.NONE
    )
    mail_attempts = models.PositiveSmallIntegerField(_("e-mail attempts"), default=0)
    mailed_at = models.DateTimeField(_("mailed at"), null=True, blank=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "reason", "subject", "period"], name="reminder_key_unique"
            ),
        ]
        indexes = [
            models.Index(fields=["recipient", "-created_at"]),
            # The unread count in every staff page's menu.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="reminder_unread"
            ),
            # The mailer's queue: small, as sent rows leave it.
            models.Index(
                fields=["created_at"],
                condition=Q(mail_status="pending"),
                name="reminder_mail_pending",
            ),
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        template = MESSAGES.get(self.reason)
        if template is None:
            return self.get_reason_display()
        try:
            return str(template) % self.params
        except (KeyError, TypeError, ValueError):
            # Params written by an older version: the reason still says what it is.
            return str(self.get_reason_display())
