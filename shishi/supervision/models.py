from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TEXT_MAX = 10_000


class OrderStatus(models.TextChoices):
    ISSUED = "issued", _("issued")
    ANSWERED = "answered", _("answered")
    CLOSED = "closed", _("closed")


OPEN_STATUSES = [OrderStatus.ISSUED, OrderStatus.ANSWERED]


def order_number(pk: int) -> str:
    """How people cite an order: DB000042 (督办)."""
    return f"DB{pk:06d}"


class SupervisionOrderQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def answer_overdue(self, now):
        return self.filter(status=OrderStatus.ISSUED, answer_due__lt=now)


class SupervisionOrder(models.Model):
    """督办单: a supervisor's demand that a unit explain and remedy an overdue
    item (or a late appeal). issued → answered → closed; a supervisor may send
    an answer back (answered → issued) or close an order without one."""

    item = models.ForeignKey(
        "ledger.LedgerItem",
        verbose_name=_("ledger item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    appeal = models.ForeignKey(
        "intake.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="supervision_orders",
    )
    # The unit that must answer: the item's lead unit when the order was issued.
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit to answer"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("supervisor"),
        on_delete=models.PROTECT,
        related_name="supervision_orders",
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.ISSUED
    )
    reason = models.TextField(_("reason"), max_length=TEXT_MAX)
    answer_due = models.DateTimeField(_("answer due"))
    answer = models.TextField(_("answer"), max_length=TEXT_MAX, blank=True)
    # Empty when the sweep issued it.
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    # The sweep run that issued it: how that run finds exactly the rows it wrote.
    sweep_run = models.UUIDField(null=True, blank=True, editable=False, db_index=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("answered by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # The reason given with the latest send-back or close.
    status_note = models.TextField(_("status note"), max_length=TEXT_MAX, blank=True)

    history = HistoricalRecords()

    objects = SupervisionOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("supervision order")
        verbose_name_plural = _("supervision orders")
        ordering = ["-issued_at", "-pk"]
        permissions = [
            ("answer_supervisionorder", _("Can answer supervision orders")),
            ("manage_supervisionorder", _("Can issue, send back and close supervision orders")),
        ]
        indexes = [
            models.Index(fields=["supervisor", "status", "answer_due"]),
            models.Index(fields=["unit", "status", "answer_due"]),
            models.Index(fields=["status", "answer_due"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(item__isnull=False) | Q(appeal__isnull=False),
                name="order_has_item_or_appeal",
            ),
            # One open order per item (and per appeal): the sweep relies on it.
            models.UniqueConstraint(
                fields=["item"],
                condition=Q(status__in=["issued", "answered"]),
                name="order_one_open_per_item",
            ),
            models.UniqueConstraint(
                fields=["appeal"],
                condition=Q(status__in=["issued", "answered"]),
                name="order_one_open_per_appeal",
            ),
            models.CheckConstraint(
                condition=~Q(status="answered") | ~Q(answer=""), name="order_answered_has_answer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.subject_label}"

    @property
    def number(self) -> str:
        return order_number(self.pk) if self.pk else "DB"

    @property
    def subject_label(self) -> str:
        if self.item_id:
            return str(self.item)
        return str(self.appeal)

    def is_answer_overdue(self, now=None) -> bool:
        return self.status == OrderStatus.ISSUED and self.answer_due < (now or timezone.now())
