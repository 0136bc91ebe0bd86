"""专项工作: programmes (万人助万企, 隐患排查, 灾后理赔 …) as parents of ledger
items and of their own records: enterprise visits, the claims network,
the service catalogue, the asset register, questionnaire responses and
household visits. Every result the district reports is a count of these rows
(shishi.programmes.figures)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 200
TEXT_MAX = 10_000


class Programme(models.Model):
    """专项工作: a standing piece of work with its own items and records."""

    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    description = models.TextField(_("description"), max_length=TEXT_MAX, blank=True)
    lead_unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("lead unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="programmes",
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="programme_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------ 万人助万企


class EnterpriseVisit(models.Model):
    """One visit to one enterprise (走访调研): who went, when, what was found."""

    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        related_name="enterprise_visits",
    )
    enterprise = models.CharField(_("enterprise"), max_length=NAME_MAX)
    visitors = models.CharField(_("visitors"), max_length=NAME_MAX)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("visiting unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="enterprise_visits",
    )
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise visit")
        verbose_name_plural = _("enterprise visits")
        ordering = ["-visited_on", "-pk"]
        indexes = [models.Index(fields=["enterprise"])]
        constraints = [
            models.CheckConstraint(condition=~Q(enterprise=""), name="visit_enterprise_not_empty"),
            models.CheckConstraint(condition=~Q(visitors=""), name="visit_visitors_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.enterprise}"


class EnterpriseProblem(models.Model):
    """A problem a visit found: an enterprise-problem item on the ledger, so it
    is solved on the spot (item_settle_on_spot) or through the ledger."""

    visit = models.ForeignKey(
        EnterpriseVisit,
        verbose_name=_("enterprise visit"),
        on_delete=models.PROTECT,
        related_name="problems",
    )
    item = models.OneToOneField(
        "ledger.LedgerItem",
        verbose_name=_("ledger item"),
        on_delete=models.PROTECT,
        related_name="enterprise_problem",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("enterprise problem")
        verbose_name_plural = _("enterprise problems")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.item)


# ------------------------------------------------------------ 灾后理赔


class ClaimStation(models.Model):
    """人保理赔工作站: one in each street's mediation centre."""

    programme = models.ForeignKey(
        Programme, verbose_name=_("programme"), on_delete=models.PROTECT, related_name="stations"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("unit (street)"),
        on_delete=models.PROTECT,
        related_name="claim_stations",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim station")
        verbose_name_plural = _("claim stations")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ClaimPoint(models.Model):
    """治安家财理赔受理登记点: one in a village or community, routed to a station."""

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("village or community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claim_points",
    )
    station = models.ForeignKey(
        ClaimStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="points"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim registration point")
        verbose_name_plural = _("claim registration points")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class ClaimStaffRole(models.TextChoices):
    JUDGE = "judge", _("judge")
    SPECIALIST = "specialist", _("claim specialist")


class ClaimStaff(models.Model):
    """A judge or claim specialist posted to a station."""

    name = models.CharField(_("name"), max_length=100)
    role = models.CharField(_("role"), max_length=20, choices=ClaimStaffRole.choices)
    station = models.ForeignKey(
        ClaimStation, verbose_name=_("station"), on_delete=models.PROTECT, related_name="staff"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim staff member")
        verbose_name_plural = _("claim staff")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.name}（{self.get_role_display()}）"


class ClaimApplication(models.Model):
    """An application for a claim: a claim item at a point, routed to the
    point's station. It is paid when its item is settled; the time from
    `applied_at` to the item's `settled_at` is what the 24 hours measure."""

    item = models.OneToOneField(
        "ledger.LedgerItem",
        verbose_name=_("ledger item"),
        on_delete=models.PROTECT,
        related_name="claim_application",
    )
    point = models.ForeignKey(
        ClaimPoint, verbose_name=_("point"), on_delete=models.PROTECT, related_name="applications"
    )
    station = models.ForeignKey(
        ClaimStation,
        verbose_name=_("station"),
        on_delete=models.PROTECT,
        related_name="applications",
    )
    applicant = models.CharField(_("applicant"), max_length=100)
    applied_at = models.DateTimeField(_("applied at"))
    amount = models.DecimalField(
        _("amount claimed (yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("claim application")
        verbose_name_plural = _("claim applications")
        ordering = ["-applied_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="claim_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.item.number} {self.applicant}"


# ------------------------------------------------------------ catalogue and assets


class ServiceItem(models.Model):
    """政务服务事项: one entry of the government-service catalogue."""

    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    department = models.CharField(_("department"), max_length=100, blank=True)
    online = models.BooleanField(_("online (网上办)"), default=False)
    mobile = models.BooleanField(_("on the phone (掌上办)"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("government service")
        verbose_name_plural = _("government services")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="service_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class ServiceBundle(models.Model):
    """一件事: several services done as one."""

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    mobile = models.BooleanField(_("on the phone (掌上办)"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service bundle (一件事)")
        verbose_name_plural = _("service bundles (一件事)")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.name


class AssetKind(models.TextChoices):
    CAR_PARK = "car_park", _("car park")
    ROADSIDE_SPACE = "roadside_space", _("roadside parking space")
    PUBLIC_PARKING = "public_parking", _("public parking (spaces)")
    CHARGING_POINT = "charging_point", _("charging point")
    LIFT = "lift", _("lift added to a building")
    FITNESS_PATH = "fitness_path", _("fitness path")
    ELDERLY_CENTRE = "elderly_centre", _("community elderly-care centre")
    RENTAL_FLAT = "rental_flat", _("public rental flats allocated")
    ROAD_OPENED = "road_opened", _("dead-end road opened")
    ROAD_REBUILT = "road_rebuilt", _("road rebuilt")
    SCHOOL = "school", _("school or kindergarten built (places)")


class Asset(models.Model):
    """One row of the asset register: a car park, a roadside space, a lift …"""

    kind = models.CharField(_("kind"), max_length=30, choices=AssetKind.choices)
    code = models.CharField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=NAME_MAX)
    address = models.CharField(_("address"), max_length=255, blank=True)
    unit = models.ForeignKey(
        "org.Unit",
        verbose_name=_("responsible unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assets",
    )
    # 接入智慧停车 for parking, 已建成/已投用 for the rest.
    connected = models.BooleanField(_("connected / in use"), default=False)
    # Spaces of a car park, classes and places of a school …; 1 by default.
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("asset")
        verbose_name_plural = _("assets")
        ordering = ["kind", "code"]
        indexes = [models.Index(fields=["kind", "connected"])]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="asset_name_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# ------------------------------------------------------------ collection records


class Questionnaire(models.Model):
    """A questionnaire and its questions; its responses are counted, never typed."""

    title = models.CharField(_("title"), max_length=NAME_MAX, unique=True)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaires",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.title


class Question(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="questions",
    )
    number = models.PositiveSmallIntegerField(_("number"))
    text = models.CharField(_("text"), max_length=500)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("question")
        verbose_name_plural = _("questions")
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="question_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}. {self.text}"


class QuestionnaireResponse(models.Model):
    """One filled-in questionnaire, from a batch (a collection event)."""

    questionnaire = models.ForeignKey(
        Questionnaire,
        verbose_name=_("questionnaire"),
        on_delete=models.PROTECT,
        related_name="responses",
    )
    event = models.ForeignKey(
        "intake.CollectionEvent",
        verbose_name=_("batch"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="questionnaire_responses",
    )
    respondent = models.CharField(_("respondent"), max_length=100, blank=True)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    answered_on = models.DateField(_("answered on"))
    # The answers by question number, as text.
    answers = models.JSONField(_("answers"), default=dict, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("questionnaire response")
        verbose_name_plural = _("questionnaire responses")
        ordering = ["-answered_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.questionnaire} #{self.pk}"


class HouseholdVisit(models.Model):
    """入户走访: one visit to one household."""

    event = models.ForeignKey(
        "intake.CollectionEvent",
        verbose_name=_("round of visits"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="household_visits",
    )
    household = models.CharField(_("household"), max_length=NAME_MAX)
    community = models.ForeignKey(
        "org.Unit",
        verbose_name=_("community"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("visitor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    visited_on = models.DateField(_("visited on"))
    notes = models.TextField(_("notes"), max_length=TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("household visit")
        verbose_name_plural = _("household visits")
        ordering = ["-visited_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(household=""), name="visit_household_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.visited_on} {self.household}"


class ForumAttendee(models.Model):
    """One person who took part in a forum (座谈会, a collection event)."""

    event = models.ForeignKey(
        "intake.CollectionEvent",
        verbose_name=_("forum"),
        on_delete=models.PROTECT,
        related_name="attendees",
    )
    name = models.CharField(_("name"), max_length=100)
    # Where they came from: a community, a unit, "居民代表" …
    affiliation = models.CharField(_("affiliation"), max_length=NAME_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("forum attendee")
        verbose_name_plural = _("forum attendees")
        ordering = ["event", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="attendee_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


# ------------------------------------------------------------ computed target actuals


class TargetSourceKind(models.TextChoices):
    PROGRAMME_SETTLED = "programme_settled", _("settled items of the programme")
    ON_SPOT = "on_spot", _("enterprise problems solved on the spot")
    ENTERPRISE_VISITS = "enterprise_visits", _("enterprise visits")
    ASSETS = "assets", _("assets of a kind (connected or in use)")
    ASSET_QUANTITY = "asset_quantity", _("sum of the quantity of assets of a kind")
    ONLINE_SERVICES = "online_services", _("services online")
    HOUSEHOLD_VISITS = "household_visits", _("household visits")
    QUESTIONNAIRE_RESPONSES = "questionnaire_responses", _("questionnaire responses")


class TargetSource(models.Model):
    """A target whose actual is computed from rows instead of typed: the
    actual is written to the target (with history) by targets_refresh, so the
    weekly report, the item page and the ledger export show it as they show
    any actual."""

    target = models.OneToOneField(
        "ledger.Target",
        verbose_name=_("target"),
        on_delete=models.PROTECT,
        related_name="source",
    )
    kind = models.CharField(_("counts"), max_length=30, choices=TargetSourceKind.choices)
    programme = models.ForeignKey(
        Programme,
        verbose_name=_("programme"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    asset_kind = models.CharField(
        _("asset kind"), max_length=30, choices=AssetKind.choices, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("target source")
        verbose_name_plural = _("target sources")
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="programme_settled") | Q(programme__isnull=False),
                name="target_source_programme_named",
            ),
            models.CheckConstraint(
                condition=~Q(kind__in=["assets", "asset_quantity"]) | ~Q(asset_kind=""),
                name="target_source_asset_kind_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.target}: {self.get_kind_display()}"
