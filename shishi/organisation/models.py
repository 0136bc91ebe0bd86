"""How the campaign is organised: the leading group, its office and working
groups with their members; the "1+2+N" plans and documents with their task
lists; and the district leaders' contact units (联系单位) and visits to them."""

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 100
TITLE_MAX = 200
TEXT_MAX = 10_000


class BodyKind(models.TextChoices):
    LEADING_GROUP = "leading_group", _("leading group")
    OFFICE = "office", _("office of the leading group")
    WORKING_GROUP = "working_group", _("working group")


class Body(models.Model):
    """领导小组, 领导小组办公室, 工作组: a body of the campaign and its duties."""

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=BodyKind.choices)
    duties = models.TextField(_("duties"), max_length=TEXT_MAX, blank=True)
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campaign body")
        verbose_name_plural = _("campaign bodies")
        ordering = ["sort_order", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="body_name_not_empty"),
            # There is one leading group and one office.
            models.UniqueConstraint(
                fields=["kind"],
                condition=Q(kind__in=["leading_group", "office"]),
                name="body_one_leading_group_and_office",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class MemberRole(models.TextChoices):
    HEAD = "head", _("head")
    DEPUTY = "deputy", _("deputy head")
    MEMBER = "member", _("member")


class BodyMember(models.Model):
    """A person on a body, drawn from a unit."""

    body = models.ForeignKey(
        Body, verbose_name=_("body"), on_delete=models.PROTECT, related_name="members"
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.CharField(_("position"), max_length=NAME_MAX, blank=True)
    role = models.CharField(
        _("role"), max_length=10, choices=MemberRole.choices, default=MemberRole.MEMBER
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("body member")
        verbose_name_plural = _("body members")
        ordering = ["body", "role", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["body", "name", "unit"], name="body_member_unique"),
            models.UniqueConstraint(
                fields=["body"], condition=Q(role="head"), name="body_one_head"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}（{self.unit}）"


class DocumentKind(models.TextChoices):
    # "1+2+N": one overall plan, two sets of rules, N sub-plans.
    OVERALL_PLAN = "overall_plan", _("overall plan")
    RULES = "rules", _("rules")
    SUB_PLAN = "sub_plan", _("sub-plan")


class Document(models.Model):
    """A plan or document of the campaign, with its task list."""

    kind = models.CharField(_("kind"), max_length=20, choices=DocumentKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX, unique=True)
    issued_on = models.DateField(_("issued on"))
    issuer = models.ForeignKey(
        "org.Unit", verbose_name=_("issued by"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("plan or document")
        verbose_name_plural = _("plans and documents")
        ordering = ["issued_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="document_title_not_empty"),
            models.UniqueConstraint(
                fields=["kind"], condition=Q(kind="overall_plan"), name="document_one_overall_plan"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class TaskStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    DONE = "done", _("done")


class DocumentTaskQuerySet(models.QuerySet):
    def overdue(self, now: dt.datetime | None = None):
        """Not done and past the end of its deadline day, like ledger items."""
        today = timezone.localdate(now or timezone.now())
        return self.filter(status=TaskStatus.PENDING, deadline__lt=today)


class DocumentTask(models.Model):
    """One task of a plan: a responsible unit, a deadline, a status."""

    document = models.ForeignKey(
        Document, verbose_name=_("plan or document"), on_delete=models.PROTECT, related_name="tasks"
    )
    title = models.CharField(_("task"), max_length=TITLE_MAX)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("responsible unit"), on_delete=models.PROTECT, related_name="+"
    )
    deadline = models.DateField(_("deadline"))
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.PENDING
    )
    done_on = models.DateField(_("done on"), null=True, blank=True)
    history = HistoricalRecords()

    objects = DocumentTaskQuerySet.as_manager()

    class Meta:
        verbose_name = _("plan task")
        verbose_name_plural = _("plan tasks")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="document_task_title_not_empty"),
            models.CheckConstraint(
                condition=Q(status="pending", done_on__isnull=True)
                | Q(status="done", done_on__isnull=False),
                name="document_task_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, now: dt.datetime | None = None) -> bool:
        today = timezone.localdate(now or timezone.now())
        return self.status == TaskStatus.PENDING and self.deadline < today


class ContactUnit(models.Model):
    """联系单位安排表: a district leader is responsible for a unit."""

    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("leader"),
        on_delete=models.PROTECT,
        related_name="contact_units",
    )
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="contact_leaders"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader's contact unit")
        verbose_name_plural = _("leaders' contact units")
        ordering = ["leader", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["leader", "unit"], name="contact_unit_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.leader} → {self.unit}"


class ContactVisit(models.Model):
    """A leader's visit to one of their contact units."""

    contact = models.ForeignKey(
        ContactUnit, verbose_name=_("contact unit"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("leader's visit")
        verbose_name_plural = _("leaders' visits")
        ordering = ["-visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.contact} {self.visited_on}"
