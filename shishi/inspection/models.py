"""巡回指导: the inspection groups, their rounds over the participating units,
the plan of which group visits which unit in each round, the visits, and the
findings, each of which becomes a rectification item (立行立改) on the ledger."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 100
TEXT_MAX = 10_000


class InspectionGroup(models.Model):
    """巡回指导组: a group of people drawn from units."""

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="inspection_group_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class InspectionGroupMember(models.Model):
    group = models.ForeignKey(
        InspectionGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    is_head = models.BooleanField(_("head of the group"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection group member")
        verbose_name_plural = _("inspection group members")
        ordering = ["group", "-is_head", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["group", "name", "unit"], name="inspection_member_unique"
            ),
            models.UniqueConstraint(
                fields=["group"], condition=Q(is_head=True), name="inspection_group_one_head"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class InspectionRound(models.Model):
    number = models.PositiveSmallIntegerField(_("round"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection round")
        verbose_name_plural = _("inspection rounds")
        ordering = ["number"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="inspection_round_dates"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="inspection_round_number"),
        ]

    def __str__(self) -> str:
        return self.title


class PlanEntry(models.Model):
    """In a round, this group is to visit this unit. Each unit once per round."""

    round = models.ForeignKey(
        InspectionRound, verbose_name=_("round"), on_delete=models.PROTECT, related_name="plan"
    )
    group = models.ForeignKey(
        InspectionGroup, verbose_name=_("group"), on_delete=models.PROTECT, related_name="plan"
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("planned visit")
        verbose_name_plural = _("round plan")
        ordering = ["round", "group", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["round", "unit"], name="plan_unit_once_per_round"),
        ]

    def __str__(self) -> str:
        return f"{self.round} · {self.group} → {self.unit}"


class Method(models.TextChoices):
    DOCUMENTS = "documents", _("reviewing documents")
    INTERVIEWS = "interviews", _("individual interviews")
    SPOT_CHECKS = "spot_checks", _("random spot checks")
    MEETINGS = "meetings", _("attending meetings")
    SITE_VISIT = "site_visit", _("site visit")


class Visit(models.Model):
    """A visit made under the round's plan: the plan entry names the round, the
    group and the unit, so a visit to a unit outside the plan cannot be stored."""

    plan = models.ForeignKey(
        PlanEntry, verbose_name=_("planned visit"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    methods = models.JSONField(_("methods"), default=list)
    summary = models.TextField(_("summary"), max_length=TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection visit")
        verbose_name_plural = _("inspection visits")
        ordering = ["-visited_on", "pk"]
        indexes = [models.Index(fields=["visited_on"])]

    def __str__(self) -> str:
        return f"{self.plan} {self.visited_on}"

    def method_labels(self) -> list[str]:
        labels = dict(Method.choices)
        return [str(labels.get(m, m)) for m in self.methods]


class Finding(models.Model):
    """A problem found on a visit, put right as a rectification item."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("visit"), on_delete=models.PROTECT, related_name="findings"
    )
    text = models.CharField(_("finding"), max_length=200)
    item = models.OneToOneField(
        "ledger.LedgerItem",
        verbose_name=_("rectification item"),
        on_delete=models.PROTECT,
        related_name="inspection_finding",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("inspection finding")
        verbose_name_plural = _("inspection findings")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="finding_text_not_empty"),
        ]

    def __str__(self) -> str:
        return self.text
