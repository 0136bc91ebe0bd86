"""Service levels: the holiday calendar and the time limits per kind of appeal
and ledger item. The arithmetic lives in `workingtime` (no database); the
deadlines of an appeal are worked out in `deadlines`."""

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shishi.ledger.models import ItemKind

from .workingtime import Unit


class HolidayCalendar(models.Model):
    """One year's local changes to the official schedule (which comes from the
    chinesecalendar package: shishi.service_levels.holidays_cn), or the whole
    schedule of a year the package does not know yet. Its days take precedence
    over the official ones; a year neither knows counts Monday to Friday."""

    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("holiday calendar")
        verbose_name_plural = _("holiday calendars")
        ordering = ["-year"]

    def __str__(self) -> str:
        return str(self.year)


class CalendarDay(models.Model):
    """A day that differs from the Monday-to-Friday rule, or a named holiday."""

    calendar = models.ForeignKey(
        HolidayCalendar, verbose_name=_("calendar"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("date"), unique=True)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Ticked: a make-up working day (调休上班). Not ticked: a day off."),
    )
    name = models.CharField(_("name"), max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"


class LimitUnit(models.TextChoices):
    MINUTES = Unit.MINUTES, _("minutes")
    HOURS = Unit.HOURS, _("hours")
    DAYS = Unit.DAYS, _("days")
    WORKING_HOURS = Unit.WORKING_HOURS, _("working hours")
    WORKING_DAYS = Unit.WORKING_DAYS, _("working days")


def _limit(label):
    amount = models.PositiveIntegerField(label, null=True, blank=True)
    unit = models.CharField(
        _("counted in"), max_length=20, choices=LimitUnit.choices, default=LimitUnit.WORKING_DAYS
    )
    return amount, unit


class ServiceLevelPolicy(models.Model):
    """Time limits for appeals and items of a ledger kind and/or a category
    (and its subcategories). For each limit the most specific policy that sets
    it applies: the closest category beats its ancestors, which beat the rows
    for any category; for the same category, the one naming the kind beats the
    one that does not. The row naming neither is the default. An empty limit
    is taken from the next, less specific policy. An emergency category thus
    keeps its 2 hours even when its appeal joins a project, while an ordinary
    appeal accepted into a project gets the project's 15 working days."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(
        _("ledger item kind"), max_length=30, choices=ItemKind.choices, blank=True
    )
    category = models.ForeignKey(
        "categories.Category",
        verbose_name=_("category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    acknowledge_within, acknowledge_unit = _limit(_("acknowledge within"))
    respond_within, respond_unit = _limit(_("respond within"))
    settle_within, settle_unit = _limit(_("settle within"))
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("service-level policy")
        verbose_name_plural = _("service-level policies")
        ordering = ["kind", "category__name", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "category"],
                condition=models.Q(category__isnull=False),
                name="sla_policy_kind_category_unique",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=models.Q(category__isnull=True),
                name="sla_policy_kind_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name
