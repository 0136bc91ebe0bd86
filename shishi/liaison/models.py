"""联户: liaison members in the communities, each paired with households; the
visits they make; a household's appeal can be filed by its member."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from shishi.core.history import HistoryManager

NAME_MAX = 100
TEXT_MAX = 10_000


class LiaisonMember(models.Model):
    """联户党员 / 联户代表: a person in a community who looks after households."""

    name = models.CharField(_("name"), max_length=NAME_MAX)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    community = models.ForeignKey(
        "org.Unit", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    # The member's own login, when they file appeals for their households.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liaison_member",
    )
    history = HistoricalRecords(history_manager=HistoryManager)

    class Meta:
        verbose_name = _("liaison member")
        verbose_name_plural = _("liaison members")
        ordering = ["community", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="liaison_member_name_not_empty"),
            models.UniqueConstraint(
                fields=["community", "name", "phone"], name="liaison_member_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Household(models.Model):
    community = models.ForeignKey(
        "org.Unit", verbose_name=_("community"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("address"), max_length=200)
    head = models.CharField(_("head of household"), max_length=NAME_MAX, blank=True)
    history = HistoricalRecords(history_manager=HistoryManager)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["community", "address"]
        constraints = [
            models.CheckConstraint(condition=~Q(address=""), name="household_address_not_empty"),
            models.UniqueConstraint(
                fields=["community", "address"], name="household_address_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.address


class Pairing(models.Model):
    """A member looks after a household. A household has at most one member at
    a time; an ended pairing is kept (ended_on set) and a new one may begin."""

    member = models.ForeignKey(
        LiaisonMember,
        verbose_name=_("liaison member"),
        on_delete=models.PROTECT,
        related_name="pairings",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="pairings"
    )
    paired_on = models.DateField(_("paired on"))
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    history = HistoricalRecords(history_manager=HistoryManager)

    class Meta:
        verbose_name = _("pairing")
        verbose_name_plural = _("pairings")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(ended_on__isnull=True),
                name="household_paired_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} — {self.household}"


class LiaisonVisit(models.Model):
    member = models.ForeignKey(
        LiaisonMember,
        verbose_name=_("liaison member"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    household = models.ForeignKey(
        Household, verbose_name=_("household"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("visited on"))
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("liaison visit")
        verbose_name_plural = _("liaison visits")
        ordering = ["-visited_on", "pk"]

    def __str__(self) -> str:
        return f"{self.member} → {self.household} {self.visited_on}"
