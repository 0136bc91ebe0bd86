from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shishi.core.lifecycle import require_text, save_with_history

from .models import ALLOWED_PARENT_KINDS, Membership, Unit, UnitKind, User
from .roles import ROLE_GROUPS


@transaction.atomic
def unit_create(
    *, name: str, kind: str, parent: Unit | None = None, is_participating: bool = True, actor=None
) -> Unit:
    name = require_text(name, field="name", max_length=100, label=_("Unit name"))
    if kind not in UnitKind.values:
        raise ValidationError({"kind": _("Unknown unit kind: %(kind)s.") % {"kind": kind}})
    parent_kind = parent.kind if parent else None
    if parent_kind not in ALLOWED_PARENT_KINDS[kind]:
        if parent is None:
            message = _("A unit of kind “%(kind)s” needs a parent unit.") % {
                "kind": UnitKind(kind).label
            }
        else:
            message = _("A unit of kind “%(kind)s” cannot sit under “%(parent)s”.") % {
                "kind": UnitKind(kind).label,
                "parent": parent,
            }
        raise ValidationError({"parent": message})
    if Unit.objects.filter(parent=parent, name=name).exists():
        raise ValidationError(
            {"name": _("There is already a unit named “%(name)s” there.") % {"name": name}}
        )
    unit = Unit(name=name, kind=kind, parent=parent, is_participating=is_participating)
    save_with_history(unit, actor=actor, reason="created")
    return unit


@transaction.atomic
def user_create(
    *,
    username: str,
    full_name: str,
    roles: Iterable[str] = (),
    units: Iterable[Unit] = (),
    password: str | None = None,
    email: str = "",
    phone: str = "",
    is_staff: bool | None = None,
    is_superuser: bool = False,
) -> User:
    username = require_text(username, field="username", max_length=150, label=_("Username"))
    if User.objects.filter(username=username).exists():
        raise ValidationError(
            {"username": _("The username “%(name)s” is taken.") % {"name": username}}
        )
    roles = list(roles)
    unknown = [r for r in roles if r not in ROLE_GROUPS]
    if unknown:
        raise ValidationError(
            {"roles": _("Unknown role: %(role)s.") % {"role": ", ".join(unknown)}}
        )
    user = User(username=username, full_name=full_name.strip(), email=email, phone=phone)
    # Staff (everyone but residents) may use the admin, within their permissions.
    user.is_staff = is_staff if is_staff is not None else any(r != "resident" for r in roles)
    user.is_superuser = is_superuser
    if is_superuser:
        user.is_staff = True
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if roles:
        user.groups.set(Group.objects.filter(name__in=[ROLE_GROUPS[r] for r in roles]))
    for unit in units:
        Membership.objects.create(user=user, unit=unit)
    return user


def user_unit_ids(user) -> set[int]:
    """The units a person acts for (cached on the user object for one request)."""
    cached = getattr(user, "_shishi_unit_ids", None)
    if cached is None:
        cached = set(Membership.objects.filter(user=user).values_list("unit_id", flat=True))
        user._shishi_unit_ids = cached
    return cached
