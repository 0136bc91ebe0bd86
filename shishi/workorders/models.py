"""Work orders (工单, 接诉即办): one appeal dispatched to one lead unit (主办),
signed for, handled, answered and reviewed by the centre. The states and moves
are in lifecycle.py; every change goes through services.py."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shishi.ledger.models import Satisfaction

TEXT_MAX = 5_000
REASON_MAX = 1_000


class OrderStatus(models.TextChoices):
    DISPATCHED = "dispatched", _("waiting to sign")  # 待签收
    SIGNED = "signed", _("in hand")  # 办理中
    REPLIED = "replied", _("awaiting review")  # 待审核
    CLOSED = "closed", _("closed")  # 已办结
    RETURNED = "returned", _("returned to the centre")  # 已退单, waiting to be re-dispatched
    REASSIGNED = "reassigned", _("re-dispatched")  # replaced by a new order (转派)
    CANCELLED = "cancelled", _("cancelled")


# An appeal has at most one order in these states: the one in hand, or the
# closed one that answered it (which a re-handle brings back to life).
LIVE_STATUSES = (
    OrderStatus.DISPATCHED,
    OrderStatus.SIGNED,
    OrderStatus.REPLIED,
    OrderStatus.RETURNED,
    OrderStatus.CLOSED,
)
# Still with a unit: what its queue lists and what can be late.
OPEN_STATUSES = (OrderStatus.DISPATCHED, OrderStatus.SIGNED, OrderStatus.REPLIED)


class WorkOrderQuerySet(models.QuerySet):
    def live(self):
        return self.filter(status__in=LIVE_STATUSES)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    def for_units(self, unit_ids):
        return self.filter(unit_id__in=unit_ids)


class WorkOrder(models.Model):
    """工单: one dispatch of an appeal to one lead unit. A re-dispatch (转派,
    after a return or by the centre's decision) is a new order; the old one
    keeps what happened to it, so returns are counted per unit."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    appeal = models.ForeignKey(
        "intake.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        related_name="work_orders",
    )
    cooperating_units = models.ManyToManyField(
        "org.Unit", verbose_name=_("cooperating units"), blank=True, related_name="+"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus.choices, default=OrderStatus.DISPATCHED
    )
    instructions = models.TextField(_("instructions"), max_length=TEXT_MAX, blank=True)
    previous = models.OneToOneField(
        "self",
        verbose_name=_("replaces"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="next",
    )
    dispatched_at = models.DateTimeField(_("dispatched at"), default=timezone.now)
    dispatched_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dispatched by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # From the service-level policy of the appeal's category, counted from dispatch.
    sign_due = models.DateTimeField(_("sign by"), null=True, blank=True)
    due_at = models.DateTimeField(_("done by"))
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reply = models.TextField(_("reply"), max_length=TEXT_MAX, blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    # The centre's reason for sending a reply back, or for closing after a
    # dissatisfied follow-up.
    review_note = models.TextField(_("review note"), max_length=REASON_MAX, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Set when the unit returned it (退单), and kept after the re-dispatch.
    returned_at = models.DateTimeField(_("returned at"), null=True, blank=True)
    return_reason = models.TextField(_("return reason"), max_length=REASON_MAX, blank=True)
    extension_count = models.PositiveSmallIntegerField(_("extensions granted"), default=0)
    rehandle_count = models.PositiveSmallIntegerField(_("re-handled"), default=0)
    # The start of the latest round of handling after a dissatisfied follow-up.
    rehandled_at = models.DateTimeField(_("re-handled at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    history = HistoricalRecords(excluded_fields=["updated_at"])

    objects = WorkOrderQuerySet.as_manager()

    class Meta:
        verbose_name = _("work order")
        verbose_name_plural = _("work orders")
        ordering = ["due_at", "pk"]
        permissions = [("handle_workorder", _("Can handle the work orders of one's unit"))]
        indexes = [
            # A unit's queue: its open orders by deadline.
            models.Index(
                fields=["unit", "status", "due_at"],
                name="workorder_unit_queue",
            ),
            # The centre's lists (returned, awaiting review) and the figures.
            models.Index(fields=["status", "dispatched_at"], name="workorder_status"),
            models.Index(
                fields=["unit", "returned_at"],
                condition=models.Q(returned_at__isnull=False),
                name="workorder_returned",
            ),
            # The centre's lists: what is still with a unit, by deadline (the
            # overdue ones), replies waiting for review, returned orders. Small
            # partial indexes: a year's million orders are mostly closed.
            models.Index(
                fields=["due_at", "id"],
                condition=models.Q(status__in=["dispatched", "signed"]),
                name="workorder_with_unit_due",
            ),
            models.Index(
                fields=["replied_at", "id"],
                condition=models.Q(status="replied"),
                name="workorder_to_review",
            ),
            models.Index(
                fields=["returned_at", "id"],
                condition=models.Q(status="returned"),
                name="workorder_to_redispatch",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["appeal"],
                condition=models.Q(status__in=[s.value for s in LIVE_STATUSES]),
                name="workorder_one_live_per_appeal",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="returned") | ~models.Q(return_reason=""),
                name="workorder_returned_has_reason",
            ),
            models.CheckConstraint(
                condition=~models.Q(status__in=["replied", "closed"]) | ~models.Q(reply=""),
                name="workorder_replied_has_reply",
            ),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_overdue(self) -> bool:
        return self.status in OPEN_STATUSES and self.due_at < timezone.now()

    @property
    def sign_late(self) -> bool:
        if self.sign_due is None:
            return False
        if self.signed_at is not None:
            return self.signed_at > self.sign_due
        return self.status == OrderStatus.DISPATCHED and self.sign_due < timezone.now()


class ExtensionStatus(models.TextChoices):
    PENDING = "pending", _("waiting for the centre")
    APPROVED = "approved", _("approved")
    REFUSED = "refused", _("refused")


class ExtensionRequest(models.Model):
    """延期申请: a unit asks for a later deadline; the centre decides."""

    order = models.ForeignKey(
        WorkOrder,
        verbose_name=_("work order"),
        on_delete=models.PROTECT,
        related_name="extensions",
    )
    reason = models.TextField(_("reason"), max_length=REASON_MAX)
    requested_due = models.DateTimeField(_("new deadline"))
    previous_due = models.DateTimeField(_("deadline before"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ExtensionStatus.choices,
        default=ExtensionStatus.PENDING,
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.TextField(_("decision note"), max_length=REASON_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("extension request")
        verbose_name_plural = _("extension requests")
        ordering = ["requested_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["order"],
                condition=models.Q(status="pending"),
                name="extension_one_pending_per_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} → {self.requested_due:%Y-%m-%d}"


class HandlingNote(models.Model):
    """办理: what the unit did, with photos."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="notes"
    )
    text = models.TextField(_("text"), max_length=TEXT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("handling note")
        verbose_name_plural = _("handling notes")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:30]


def note_photo_path(instance: "NotePhoto", filename: str) -> str:
    now = timezone.now()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"workorders/{now:%Y/%m}/{instance.note_id}-{now:%d%H%M%S%f}.{suffix[:8]}"


class NotePhoto(models.Model):
    note = models.ForeignKey(
        HandlingNote, verbose_name=_("note"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=note_photo_path)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))

    class Meta:
        verbose_name = _("handling photo")
        verbose_name_plural = _("handling photos")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.original_name


class CatalogueRule(models.Model):
    """派单目录: appeals of this category (and its subcategories) from this
    street or community go to this unit. The most specific rule wins: a
    community's before its street's before one for any place."""

    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    place = models.ForeignKey(
        "org.Unit",
        verbose_name=_("street or community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty: anywhere in the district."),
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("lead unit"), on_delete=models.PROTECT, related_name="+"
    )
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("dispatch catalogue rule")
        verbose_name_plural = _("dispatch catalogue")
        ordering = ["category__name", "place__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["category", "place"],
                condition=models.Q(place__isnull=False),
                name="catalogue_category_place_unique",
            ),
            models.UniqueConstraint(
                fields=["category"],
                condition=models.Q(place__isnull=True),
                name="catalogue_category_anywhere_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.category} · {self.place or '—'} → {self.unit}"


class OrderFollowUp(models.Model):
    """回访 of a closed work order: the resident's rating (through their own
    link or account) or a phone follow-up recorded by staff. A dissatisfied one
    waits for the centre's decision: re-handle (重办) or close with a reason."""

    order = models.ForeignKey(
        WorkOrder, verbose_name=_("work order"), on_delete=models.PROTECT, related_name="followups"
    )
    result = models.CharField(_("result"), max_length=30, choices=Satisfaction.choices)
    note = models.TextField(_("note"), max_length=REASON_MAX, blank=True)
    by_appellant = models.BooleanField(_("given by the appellant"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    # The round of handling it rates: a re-handled order is rated again.
    round = models.PositiveSmallIntegerField(_("round"), default=0)
    decision = models.CharField(
        _("centre's decision"),
        max_length=10,
        choices=[("rehandle", _("re-handle")), ("close", _("close"))],
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("work order follow-up")
        verbose_name_plural = _("work order follow-ups")
        ordering = ["-recorded_at", "-pk"]
        constraints = [
            # One rating per round of handling.
            models.UniqueConstraint(
                fields=["order", "round"], name="order_followup_once_per_round"
            ),
        ]
        indexes = [
            models.Index(
                fields=["recorded_at"],
                condition=models.Q(result="dissatisfied", decided_at__isnull=True),
                name="order_followup_undecided",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.order.number} {self.get_result_display()}"
