from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shishi.core.history import HistoryManager

TITLE_MAX = 200
BODY_MAX = 10_000
EMAIL_MAX = 254
IMPORT_KEY_MAX = 160


class Channel(models.TextChoices):
    FORUM = "forum", _("forum")
    QUESTIONNAIRE = "questionnaire", _("questionnaire")
    VISIT = "visit", _("household visit")
    HOTLINE = "hotline", _("hotline")
    WEB = "web", _("web")
    API = "api", _("API")
    ENTERPRISE_VISIT = "enterprise_visit", _("enterprise visit")
    INSPECTION = "inspection", _("inspection")
    SELF_REVIEW = "self_review", _("self-review")
    # Recorded by staff on the hotline page (话务受理), with HOTLINE.
    WALK_IN = "walk_in", _("walk-in")
    LETTER = "letter", _("letter")
    LIAISON = "liaison", _("liaison member")


# What an event's own count means, by channel.
EVENT_COUNT_LABELS = {
    Channel.FORUM: _("participants"),
    Channel.QUESTIONNAIRE: _("questionnaires issued"),
    Channel.VISIT: _("households visited"),
    Channel.ENTERPRISE_VISIT: _("enterprises visited"),
}


class CollectionEvent(models.Model):
    """One forum, one questionnaire batch, one round of household visits."""

    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    held_on = models.DateField(_("date"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="events"
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("organiser"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organised_events",
    )
    # Participants of a forum, questionnaires issued, households visited.
    count = models.PositiveIntegerField(_("count"), default=0)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("collection event")
        verbose_name_plural = _("collection events")
        ordering = ["-held_on", "title"]
        indexes = [models.Index(fields=["channel", "held_on"])]

    def __str__(self) -> str:
        return f"{self.held_on} {self.title}"

    @property
    def count_label(self) -> str:
        return str(EVENT_COUNT_LABELS.get(self.channel, _("count")))


class AppealStatus(models.TextChoices):
    RECEIVED = "received", _("received")
    TRIAGED = "triaged", _("triaged")
    ACCEPTED = "accepted", _("accepted into an item")
    ANSWERED = "answered", _("answered directly")
    REJECTED = "rejected", _("rejected")
    CLOSED = "closed", _("closed")
    # With a unit as a work order (shishi.workorders): the order's state says where.
    DISPATCHED = "dispatched", _("dispatched to a unit")


class AppealOutcome(models.TextChoices):
    """How the resident was first given a reply (set with responded_at)."""

    ANSWERED = "answered", _("answered directly")
    REJECTED = "rejected", _("rejected")
    SETTLED = "settled", _("its item settled")


class Appeal(models.Model):
    """诉求: what a resident asked for, from any channel."""

    tracking_number = models.CharField(_("tracking number"), max_length=20, unique=True)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    body = models.TextField(_("text"), max_length=BODY_MAX, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    event = models.ForeignKey(
        CollectionEvent,
        verbose_name=_("collection event"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    # Private: only staff with intake.view_submitter_contact see these.
    submitter_name = models.CharField(_("submitter name"), max_length=100, blank=True)
    submitter_phone = models.CharField(_("submitter phone"), max_length=40, blank=True)
    submitter_email = models.EmailField(_("submitter e-mail"), max_length=EMAIL_MAX, blank=True)
    submitter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitter account"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    # A household's appeal filed by its liaison member (channel 联户).
    household = models.ForeignKey(
        "liaison.Household",
        verbose_name=_("household"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    lat = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    lng = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    received_at = models.DateTimeField(_("received at"))
    status = models.CharField(
        _("status"), max_length=20, choices=AppealStatus.choices, default=AppealStatus.RECEIVED
    )
    # The answer given directly, or the reason for rejecting.
    status_note = models.TextField(_("status note"), blank=True)
    item = models.ForeignKey(
        "ledger.LedgerItem",
        verbose_name=_("ledger item"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    # Where a collected appeal came from, as a record (shishi.programmes): the
    # questionnaire response or household visit that raised it. (A forum's
    # appeal names its forum as its event.)
    questionnaire_response = models.ForeignKey(
        "programmes.QuestionnaireResponse",
        verbose_name=_("questionnaire response"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    household_visit = models.ForeignKey(
        "programmes.HouseholdVisit",
        verbose_name=_("household visit"),
        db_index=False,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="appeals",
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    # Service-level deadlines (shishi.service_levels.deadlines), computed when the
    # appeal is received and stored so sweeps and the rates can query them.
    acknowledge_due = models.DateTimeField(_("acknowledge by"), null=True, blank=True)
    respond_due = models.DateTimeField(_("respond by"), null=True, blank=True)
    # The first staff action on it: recorded by staff (a hotline call, a forum's
    # notes), else triaged, answered, accepted into an item or rejected. Set
    # once; later actions do not move it.
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    # When the resident first got a substantive reply: answered directly,
    # rejected with a reason, or its item settled (the appeal closed with it).
    # Set once; a reopened item does not clear it.
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=AppealOutcome.choices, blank=True, default=""
    )
    # Where an imported appeal came from ("teddy2020:188006", or "sha1:…" of its
    # content when the file has no id column): importing a file twice stores
    # each appeal once. Empty for appeals filed any other way.
    import_key = models.CharField(
        _("import key"), max_length=IMPORT_KEY_MAX, null=True, blank=True, unique=True
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # History is read per appeal (by id) and by date; indexes on its other
    # columns would only slow the intake of millions of appeals.
    history = HistoricalRecords(
        # Appeals arrive by the hundred a second: see shishi/core/history.py.
        history_manager=HistoryManager,
        excluded_fields=["updated_at"],
        no_db_index=[
            "tracking_number",
            "event",
            "category",
            "submitter",
            "community",
            "item",
            "import_key",
            "questionnaire_response",
            "household_visit",
            "household",
        ],
    )

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-received_at"]
        permissions = [
            ("triage_appeal", _("Can triage appeals")),
            ("view_submitter_contact", _("Can see submitters' contact data")),
        ]
        indexes = [
            # Most appeals have no event, account, community or item (imports,
            # hotline calls, what waits for triage): the indexes behind these
            # foreign keys leave the NULLs out, so a million imported appeals
            # do not fill them. `x = value` implies NOT NULL, so lookups and
            # joins still use them. Lookups by category use
            # (category, received_at).
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"appeal_{name}",
                )
                for name in ("event", "submitter", "community", "item", "household")
            ),
            # The records an appeal was collected in (shishi.programmes): most
            # appeals have none.
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"appeal_{name}",
                )
                for name in ("questionnaire_response", "household_visit")
            ),
            models.Index(fields=["status", "received_at"]),
            models.Index(fields=["channel", "received_at"]),
            # (Lists by received_at alone use appeal_rates_received, below.)
            # The intake queue and the dashboard filter by category within a period.
            models.Index(fields=["category", "received_at"]),
            # The intake queue's default, oldest first: what is still to do is a
            # small, recent part of all appeals, which an index on received_at
            # alone would reach only after reading every older, settled one.
            models.Index(
                fields=["received_at", "id"],
                condition=models.Q(status__in=["received", "triaged"]),
                name="appeal_todo_received",
            ),
            # The sweeps look for what is still due: small, partial indexes that
            # skip the millions of appeals already acknowledged or answered.
            models.Index(
                fields=["acknowledge_due"],
                condition=models.Q(
                    acknowledged_at__isnull=True, status__in=["received", "triaged"]
                ),
                name="appeal_ack_pending",
            ),
            models.Index(
                fields=["respond_due"],
                condition=models.Q(
                    responded_at__isnull=True,
                    status__in=["received", "triaged", "accepted", "dispatched"],
                ),
                name="appeal_respond_pending",
            ),
            # The three rates (shishi.reports.rates) count a year of appeals by
            # unit and week: indexes that hold every column those counts read,
            # so the table's wide rows are never visited.
            models.Index(
                fields=["received_at", "acknowledged_at", "acknowledge_due", "item"],
                name="appeal_rates_received",
            ),
            # Only the appeals replied to: an import of a million waiting
            # appeals does not fill it, and a period's range implies NOT NULL.
            models.Index(
                fields=["responded_at", "outcome", "status", "item"],
                condition=models.Q(responded_at__isnull=False),
                name="appeal_rates_responded",
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=~models.Q(title=""), name="appeal_title_not_empty"),
            # Accepted means accepted into an item.
            models.CheckConstraint(
                condition=~models.Q(status="accepted") | models.Q(item__isnull=False),
                name="appeal_accepted_has_item",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_number} {self.title}"

    @property
    def next_due(self):
        """The deadline still to meet: acknowledging until acknowledged, then
        responding; None once responded (or without a policy)."""
        if self.responded_at is not None or self.status not in (
            AppealStatus.RECEIVED,
            AppealStatus.TRIAGED,
            AppealStatus.ACCEPTED,
            AppealStatus.DISPATCHED,
        ):
            return None
        if self.acknowledged_at is None and self.acknowledge_due is not None:
            return self.acknowledge_due
        return self.respond_due

    @property
    def is_overdue(self) -> bool:
        due = self.next_due
        return due is not None and due < timezone.now()

    @staticmethod
    def _late(due, done) -> bool:
        if due is None:
            return False
        return done > due if done is not None else due < timezone.now()

    @property
    def acknowledge_late(self) -> bool:
        """Acknowledged after its deadline, or still not and past it."""
        return self._late(self.acknowledge_due, self.acknowledged_at)

    @property
    def respond_late(self) -> bool:
        return self._late(self.respond_due, self.responded_at)


class AppealNotice(models.Model):
    """A message owed to an appeal's submitter (item settled, appeal answered…).
    Recorded when the event happens; a delivery job marks it sent."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="notices"
    )
    message = models.TextField(_("message"))
    # The message asks the resident to rate the reply: its delivery adds the
    # rating link with the appeal's key (shishi.intake.rating_keys), which is
    # never stored with the message.
    invites_rating = models.BooleanField(_("invites a rating"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notice to submitter")
        verbose_name_plural = _("notices to submitters")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["sent_at"])]

    def __str__(self) -> str:
        return f"{self.appeal.tracking_number}: {self.message[:30]}"


def appeal_photo_path(instance: "AppealPhoto", filename: str) -> str:
    # The stored name is ours; the resident's file name is kept in original_name only.
    now = timezone.now()
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"appeals/{now:%Y/%m}/{instance.appeal_id}-{now:%d%H%M%S%f}.{suffix[:8]}"


class AppealPhoto(models.Model):
    """A photo a resident attached to an appeal. Private, like the contact data:
    only staff who handle appeals and the submitter's own account see it."""

    appeal = models.ForeignKey(
        Appeal, verbose_name=_("appeal"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("file"), upload_to=appeal_photo_path)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        verbose_name = _("appeal photo")
        verbose_name_plural = _("appeal photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.original_name
