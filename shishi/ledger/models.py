import datetime as dt
import re

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

TITLE_MAX = 200
TEXT_MAX = 10_000


class ItemKind(models.TextChoices):
    PROJECT = "project", _("project")
    RECTIFICATION = "rectification", _("rectification")
    ENTERPRISE_PROBLEM = "enterprise_problem", _("enterprise problem")
    HAZARD = "hazard", _("hazard")
    CLAIM = "claim", _("insurance claim")


class ItemStatus(models.TextChoices):
    DRAFT = "draft", _("draft")
    OPEN = "open", _("open")
    CLAIMED = "claimed", _("claimed")
    IN_PROGRESS = "in_progress", _("in progress")
    AWAITING_VERIFICATION = "awaiting_verification", _("awaiting verification")
    SETTLED = "settled", _("settled")
    SUSPENDED = "suspended", _("suspended")
    CANCELLED = "cancelled", _("cancelled")


# Statuses in which an item has an owner and a lead unit (checked by a constraint).
OWNED_STATUSES = [
    ItemStatus.CLAIMED,
    ItemStatus.IN_PROGRESS,
    ItemStatus.AWAITING_VERIFICATION,
    ItemStatus.SETTLED,
]
# Statuses in which work is under way and a weekly report is due.
ACTIVE_STATUSES = [ItemStatus.CLAIMED, ItemStatus.IN_PROGRESS]
# Statuses in which the deadline no longer matters.
FINISHED_STATUSES = [ItemStatus.SETTLED, ItemStatus.CANCELLED]


def week_start(day: dt.date) -> dt.date:
    """The Monday of the ISO week that holds `day`."""
    return day - dt.timedelta(days=day.weekday())


# An ISO week as people write it: 2021-W40 (or 2021W40).
ISO_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def iso_week_monday(text: str) -> dt.date:
    """The Monday of the ISO week written as 2021-W40; ValueError for anything else."""
    match = ISO_WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"not an ISO week: {text!r}")
    return dt.date.fromisocalendar(int(match[1]), int(match[2]), 1)


def end_of_day(day: dt.date) -> dt.datetime:
    """A deadline given as a day ends at 23:59:59 local time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59, 59)))


def iso_week_label(monday: dt.date) -> str:
    year, week, _weekday = monday.isocalendar()
    return f"{year}-W{week:02d}"


class KindPolicy(models.Model):
    """How one kind of ledger item behaves: who may open it, its default deadline."""

    kind = models.CharField(_("kind"), max_length=30, choices=ItemKind.choices, unique=True)
    number_prefix = models.CharField(_("number prefix"), max_length=8)
    default_deadline = models.DurationField(_("default deadline"))
    requires_targets = models.BooleanField(_("requires measurable targets"), default=True)
    openers = models.ManyToManyField(
        "auth.Group",
        verbose_name=_("roles that may open items of this kind"),
        blank=True,
        related_name="+",
    )
    history = HistoricalRecords(m2m_fields=[openers])

    class Meta:
        verbose_name = _("kind policy")
        verbose_name_plural = _("kind policies")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class LedgerItemQuerySet(models.QuerySet):
    def public(self):
        # Drafts are not yet commitments; the public ledger shows the rest.
        return self.exclude(status=ItemStatus.DRAFT)

    def active(self):
        return self.filter(status__in=ACTIVE_STATUSES)

    def taking_appeals(self):
        """Items an appeal may still be taken into (see LedgerItem.takes_appeals)."""
        return self.exclude(status__in=FINISHED_STATUSES)

    def overdue(self, now: dt.datetime | None = None):
        now = now or timezone.now()
        return self.exclude(status__in=[*FINISHED_STATUSES, ItemStatus.DRAFT]).filter(
            deadline__lt=now
        )

    def missing_report(self, monday: dt.date):
        """Active items without a current progress report for the week of `monday`."""
        reported = ProgressReport.objects.filter(
            item=OuterRef("pk"), week_start=monday, is_current=True
        )
        return self.active().filter(~Exists(reported))

    def with_latest_percent(self):
        latest = ProgressReport.objects.filter(item=OuterRef("pk"), is_current=True).order_by(
            "-week_start"
        )
        return self.annotate(latest_percent=Subquery(latest.values("percent")[:1]))


class LedgerItem(models.Model):
    """实事 / 台账事项: a commitment on the ledger, from draft to settled."""

    number = models.CharField(_("number"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=30, choices=ItemKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), max_length=TEXT_MAX, blank=True)
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="items",
    )
    status = models.CharField(
        _("status"), max_length=30, choices=ItemStatus.choices, default=ItemStatus.DRAFT
    )
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_items",
    )
    cooperating_units = models.ManyToManyField(
        "org.Unit",
        verbose_name=_("cooperating units"),
        blank=True,
        related_name="cooperating_items",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner (responsible leader)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_items",
    )
    deadline = models.DateTimeField(_("deadline"))

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="created_items",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened at"), null=True, blank=True)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("claimed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    settled_at = models.DateTimeField(_("settled at"), null=True, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verifier"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="verified_items",
    )
    settlement_evidence = models.TextField(
        _("settlement evidence"), max_length=TEXT_MAX, blank=True
    )
    # The reason or note given with the latest transition (reopen, suspend, send back…).
    status_note = models.TextField(_("status note"), max_length=TEXT_MAX, blank=True)
    status_before_suspension = models.CharField(max_length=30, blank=True, editable=False)
    # 专项工作 (shishi.programmes): the programme the item belongs to, if any.
    programme = models.ForeignKey(
        "programmes.Programme",
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="items",
    )
    # 现场解决: settled on the spot by item_settle_on_spot; a reopening clears it.
    settled_on_spot = models.BooleanField(_("solved on the spot"), default=False)

    history = HistoricalRecords(m2m_fields=[cooperating_units])

    objects = LedgerItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("ledger item")
        verbose_name_plural = _("ledger items")
        ordering = ["number"]
        permissions = [
            ("claim_ledgeritem", _("Can claim ledger items")),
            ("report_progress", _("Can report weekly progress")),
            ("verify_ledgeritem", _("Can verify and settle ledger items")),
            ("record_followup", _("Can record follow-ups")),
            ("manage_ledgeritem", _("Can suspend, cancel and reopen ledger items")),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["deadline"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="item_title_not_empty"),
            models.CheckConstraint(
                condition=~Q(status__in=OWNED_STATUSES)
                | (Q(owner__isnull=False) & Q(lead_unit__isnull=False)),
                name="item_owned_status_has_owner_and_lead_unit",
            ),
            models.CheckConstraint(
                condition=~Q(status=ItemStatus.SETTLED)
                | (Q(verifier__isnull=False) & ~Q(verifier=models.F("owner"))),
                name="item_settled_by_verifier_not_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.title}"

    @property
    def takes_appeals(self) -> bool:
        """A settled or cancelled item takes no more appeals; any other may."""
        return self.status not in FINISHED_STATUSES

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        if self.status in FINISHED_STATUSES or self.status == ItemStatus.DRAFT:
            return False
        return self.deadline < (now or timezone.now())


class Target(models.Model):
    """A measurable target of an item, e.g. 新增学位 6360 个."""

    item = models.ForeignKey(
        LedgerItem, verbose_name=_("ledger item"), on_delete=models.PROTECT, related_name="targets"
    )
    name = models.CharField(_("name"), max_length=100)
    unit_of_measure = models.CharField(_("unit of measure"), max_length=20)
    target_quantity = models.DecimalField(_("target quantity"), max_digits=16, decimal_places=2)
    actual_quantity = models.DecimalField(
        _("actual quantity"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target")
        verbose_name_plural = _("targets")
        ordering = ["item", "sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["item", "name"], name="target_name_unique_in_item"),
            models.CheckConstraint(
                condition=Q(target_quantity__gte=0), name="target_quantity_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(actual_quantity__isnull=True) | Q(actual_quantity__gte=0),
                name="target_actual_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.target_quantity.normalize():f} {self.unit_of_measure}"

    @property
    def completion(self) -> float | None:
        if self.actual_quantity is None or not self.target_quantity:
            return None
        return float(self.actual_quantity / self.target_quantity)


class ProgressReport(models.Model):
    """按周调度: one item's progress in one ISO week. A correction is a new
    version; the old one is kept with is_current off."""

    item = models.ForeignKey(
        LedgerItem,
        verbose_name=_("ledger item"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    week_start = models.DateField(_("week (Monday)"))
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    is_current = models.BooleanField(_("current"), default=True)
    percent = models.PositiveSmallIntegerField(_("percent complete"))
    narrative = models.TextField(_("narrative"), max_length=TEXT_MAX, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reported by"),
        on_delete=models.PROTECT,
        related_name="progress_reports",
    )
    reported_at = models.DateTimeField(_("reported at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("progress report")
        verbose_name_plural = _("progress reports")
        ordering = ["-week_start", "-version"]
        indexes = [
            models.Index(fields=["item", "is_current", "week_start"]),
            # The missing-report query: an index-only scan of one week's current reports.
            models.Index(
                fields=["week_start", "item"],
                condition=Q(is_current=True),
                name="report_current_week_item",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["item", "week_start", "version"], name="report_version_unique"
            ),
            models.UniqueConstraint(
                fields=["item", "week_start"],
                condition=Q(is_current=True),
                name="report_one_current_per_week",
            ),
            models.CheckConstraint(condition=Q(percent__lte=100), name="report_percent_max_100"),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} {self.week_label} v{self.version}"

    @property
    def week_label(self) -> str:
        return iso_week_label(self.week_start)


class ProgressActual(models.Model):
    """A target's actual quantity as stated in one progress report."""

    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.PROTECT,
        related_name="actuals",
    )
    target = models.ForeignKey(
        Target, verbose_name=_("target"), on_delete=models.PROTECT, related_name="reported_actuals"
    )
    quantity = models.DecimalField(_("actual quantity"), max_digits=16, decimal_places=2)

    class Meta:
        verbose_name = _("reported actual")
        verbose_name_plural = _("reported actuals")
        constraints = [
            models.UniqueConstraint(fields=["report", "target"], name="actual_unique_per_report"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="actual_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.target.name}: {self.quantity}"


class EvidencePurpose(models.TextChoices):
    PROGRESS = "progress", _("progress")
    SETTLEMENT = "settlement", _("settlement")


def evidence_path(instance: "Evidence", filename: str) -> str:
    # The stored name is ours; the user's file name is kept in original_name only.
    now = timezone.now()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"evidence/{now:%Y/%m}/{instance.item_id}-{now:%d%H%M%S%f}.{suffix[:8]}"


class Evidence(models.Model):
    """A file attached to a progress report or to a settlement."""

    item = models.ForeignKey(
        LedgerItem, verbose_name=_("ledger item"), on_delete=models.PROTECT, related_name="evidence"
    )
    report = models.ForeignKey(
        ProgressReport,
        verbose_name=_("progress report"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="evidence",
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=EvidencePurpose.choices)
    file = models.FileField(_("file"), upload_to=evidence_path)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("satisfied")
    BASICALLY_SATISFIED = "basically_satisfied", _("basically satisfied")
    DISSATISFIED = "dissatisfied", _("dissatisfied")


class FollowUp(models.Model):
    """回访: an appellant's satisfaction with a settled item."""

    item = models.ForeignKey(
        LedgerItem,
        verbose_name=_("ledger item"),
        on_delete=models.PROTECT,
        related_name="followups",
    )
    appeal = models.ForeignKey(
        "intake.Appeal",
        verbose_name=_("appeal"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followups",
    )
    result = models.CharField(_("result"), max_length=30, choices=Satisfaction.choices)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    # Empty when a resident rated the result on the tracking page without an account.
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # True when the appellant rated it themselves; False when staff recorded a call.
    by_appellant = models.BooleanField(_("given by the appellant"), default=False)
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["-recorded_at"]

    def __str__(self) -> str:
        return f"{self.item.number} {self.get_result_display()}"


def appellant_has_rated(appeal, item: LedgerItem) -> bool:
    """Whether the appellant has rated the item's latest settlement: a reopened
    and settled-again item may be rated again."""
    return FollowUp.objects.filter(
        appeal=appeal, by_appellant=True, recorded_at__gte=item.settled_at
    ).exists()
