from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class User(AbstractUser):
    """A person using Shishi. Roles are Django groups (see `roles.py`)."""

    # Chinese names are written whole; first/last name are kept for Django's sake.
    full_name = models.CharField(_("full name"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.full_name or self.get_username()


class UnitKind(models.TextChoices):
    DISTRICT = "district", _("district")
    DEPARTMENT = "department", _("department")
    STREET = "street", _("street office")
    COMMUNITY = "community", _("community")
    ENTERPRISE = "enterprise", _("enterprise")
    SCHOOL = "school", _("school")
    VILLAGE = "village", _("village")
    OTHER = "other", _("other")


# Which kinds of unit may sit under which: the district on top, departments and
# streets under it, grass-roots units under streets (or the district itself).
ALLOWED_PARENT_KINDS: dict[str, set[str | None]] = {
    UnitKind.DISTRICT: {None},
    UnitKind.DEPARTMENT: {UnitKind.DISTRICT},
    UnitKind.STREET: {UnitKind.DISTRICT},
    UnitKind.COMMUNITY: {UnitKind.STREET},
    UnitKind.VILLAGE: {UnitKind.STREET},
    UnitKind.ENTERPRISE: {UnitKind.DISTRICT, UnitKind.STREET, UnitKind.DEPARTMENT},
    UnitKind.SCHOOL: {UnitKind.DISTRICT, UnitKind.STREET, UnitKind.DEPARTMENT},
    UnitKind.OTHER: {None, UnitKind.DISTRICT, UnitKind.STREET, UnitKind.DEPARTMENT},
}


class UnitQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)

    def participating(self):
        return self.active().filter(is_participating=True)

    def lead_units(self):
        """The units a leader may name as lead unit: the active participating ones."""
        return self.participating().order_by("kind", "name")

    def district_name(self, default: str = "") -> str:
        """The installation's district (the root of the tree), which reports and
        exports are titled after; `default` before one is set up."""
        root = self.filter(kind=UnitKind.DISTRICT, parent=None).order_by("pk").first()
        return root.name if root else default


class Unit(models.Model):
    """An organisation in the district's tree: the district, its departments and
    street offices, and the communities, villages, schools and enterprises below."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    # Units that take part in the campaign (lead or cooperate on items, report weekly).
    is_participating = models.BooleanField(_("participating unit"), default=True)
    is_active = models.BooleanField(_("active"), default=True)
    history = HistoricalRecords()

    objects = UnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="unit_name_unique_in_parent"),
            models.UniqueConstraint(
                fields=["name"],
                condition=models.Q(parent__isnull=True),
                name="unit_root_name_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def ancestors(self) -> list["Unit"]:
        chain, node = [], self.parent
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain


class Membership(models.Model):
    """A person works in a unit. A unit handler acts for the units they belong to."""

    user = models.ForeignKey(
        User, verbose_name=_("user"), on_delete=models.PROTECT, related_name="memberships"
    )
    unit = models.ForeignKey(
        Unit, verbose_name=_("unit"), on_delete=models.PROTECT, related_name="memberships"
    )
    position = models.CharField(_("position"), max_length=100, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["user", "unit"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit}"
