"""Writes to 联户: members, households, pairing them, visits, and a household's
appeal filed by its member (channel 联户) through intake's `appeal_submit`."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.core.bulkhistory import bulk_create_with_history_sql
from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.intake.models import Appeal, Channel
from shishi.intake.services import appeal_submit
from shishi.ledger.permissions import require
from shishi.org.models import Unit, UnitKind

from .models import NAME_MAX, TEXT_MAX, Household, LiaisonMember, LiaisonVisit, Pairing

COMMUNITY_KINDS = (UnitKind.COMMUNITY, UnitKind.VILLAGE)


def _community(unit: Unit | None) -> Unit:
    if unit is None or not unit.is_active or unit.kind not in COMMUNITY_KINDS:
        raise ValidationError({"community": _("Choose a community or village that is in use.")})
    return unit


def _require_keeper(actor) -> None:
    require(
        actor.has_perm("liaison.add_household"),
        _("Only the staff who keep the liaison lists may change them."),
    )


def _row(row: int, error: ValidationError) -> ValidationError:
    messages = (
        [m for ms in error.message_dict.values() for m in ms]
        if hasattr(error, "error_dict")
        else error.messages
    )
    return ValidationError(_("Row %(row)d: %(error)s") % {"row": row, "error": " ".join(messages)})


def member_clean(*, name: str, community: Unit, phone: str = "", user=None) -> LiaisonMember:
    return LiaisonMember(
        name=require_text(name, field="name", max_length=NAME_MAX, label=_("Name")),
        community=_community(community),
        phone=optional_text(phone, field="phone", max_length=40, label=_("Phone")),
        user=user,
    )


@transaction.atomic
def member_create(*, name: str, community: Unit, actor, phone: str = "", user=None):
    member = member_clean(name=name, community=community, phone=phone, user=user)
    if LiaisonMember.objects.filter(
        community=member.community, name=member.name, phone=member.phone
    ).exists():
        raise ValidationError(
            {
                "name": _("%(name)s is already a liaison member in %(community)s.")
                % {"name": member.name, "community": member.community}
            }
        )
    save_with_history(member, actor=actor, reason="created")
    return member


def household_clean(*, community: Unit, address: str, head: str = "") -> Household:
    return Household(
        community=_community(community),
        address=require_text(address, field="address", max_length=200, label=_("Address")),
        head=optional_text(head, field="head", max_length=NAME_MAX, label=_("Head of household")),
    )


@transaction.atomic
def household_create(*, community: Unit, address: str, actor, head: str = "") -> Household:
    household = household_clean(community=community, address=address, head=head)
    if Household.objects.filter(community=household.community, address=household.address).exists():
        raise ValidationError(
            {
                "address": _("%(address)s is already a household of %(community)s.")
                % {"address": household.address, "community": household.community}
            }
        )
    save_with_history(household, actor=actor, reason="created")
    return household


def _refuse_paired(household: Household, member_name) -> ValidationError:
    return ValidationError(
        {
            "household": _("%(household)s is already paired with %(member)s.")
            % {"household": household, "member": member_name}
        }
    )


@transaction.atomic
def household_pair(
    *, member: LiaisonMember, household: Household, paired_on: dt.date, actor
) -> Pairing:
    """Pair a household with a member. A household already paired is refused
    (end its pairing first); the member must be of the household's community."""
    _require_keeper(actor)
    if member.community_id != household.community_id:
        raise ValidationError(
            {
                "member": _("%(member)s is a member in %(theirs)s, not in %(community)s.")
                % {"member": member, "theirs": member.community, "community": household.community}
            }
        )
    current = Pairing.objects.filter(household=household, ended_on__isnull=True).select_related(
        "member"
    )
    if current.exists():
        raise _refuse_paired(household, current.first().member)
    pairing = Pairing(member=member, household=household, paired_on=paired_on)
    try:
        with transaction.atomic():
            save_with_history(pairing, actor=actor, reason="paired")
    except IntegrityError:
        # Someone paired it in the meantime: the constraint holds.
        raise _refuse_paired(household, "—") from None
    return pairing


@transaction.atomic
def pairing_end(*, pairing: Pairing, ended_on: dt.date, actor) -> Pairing:
    pairing = Pairing.objects.select_for_update().get(pk=pairing.pk)
    if pairing.ended_on is not None:
        raise ValidationError(_("This pairing has already ended."))
    if ended_on < pairing.paired_on:
        raise ValidationError({"ended_on": _("A pairing cannot end before it began.")})
    pairing.ended_on = ended_on
    save_with_history(pairing, actor=actor, reason="ended")
    return pairing


@transaction.atomic
def households_register_bulk(
    *, community: Unit, rows: Sequence[dict], paired_on: dt.date, actor
) -> list[Household]:
    """A community's list of households (Excel, the demo): each row an address,
    optionally a head and the `member` who looks after it (paired at once).
    All or none; a bad or repeated row is named."""
    _require_keeper(actor)
    community = _community(community)
    households, members, seen = [], [], set()
    for row, fields in enumerate(rows, start=1):
        fields = dict(fields)
        member = fields.pop("member", None)
        try:
            household = household_clean(community=community, **fields)
            if member is not None and member.community_id != community.pk:
                raise ValidationError(
                    {
                        "member": _("%(member)s is a member in %(theirs)s, not in %(community)s.")
                        % {"member": member, "theirs": member.community, "community": community}
                    }
                )
        except ValidationError as error:
            raise _row(row, error) from None
        if household.address in seen:
            raise ValidationError(
                _("Row %(row)d: %(address)s is listed twice.")
                % {"row": row, "address": household.address}
            )
        seen.add(household.address)
        households.append(household)
        members.append(member)
    existing = set(
        Household.objects.filter(community=community, address__in=seen).values_list(
            "address", flat=True
        )
    )
    if existing:
        raise ValidationError(
            _("Already households of %(community)s: %(addresses)s.")
            % {"community": community, "addresses": "、".join(sorted(existing)[:10])}
        )
    stored = bulk_create_with_history_sql(households, actor=actor, reason="created")
    bulk_create_with_history_sql(
        [
            Pairing(member=member, household=household, paired_on=paired_on)
            for household, member in zip(stored, members, strict=True)
            if member is not None
        ],
        actor=actor,
        reason="paired",
    )
    return stored


@transaction.atomic
def members_create_bulk(*, rows: Sequence[dict], actor) -> list[LiaisonMember]:
    members = []
    for row, fields in enumerate(rows, start=1):
        try:
            members.append(member_clean(**fields))
        except ValidationError as error:
            raise _row(row, error) from None
    return bulk_create_with_history_sql(members, actor=actor, reason="created")


@transaction.atomic
def liaison_visit_record(
    *, member: LiaisonMember, household: Household, visited_on: dt.date, actor, note: str = ""
) -> LiaisonVisit:
    if not Pairing.objects.filter(
        member=member, household=household, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            {
                "household": _("%(household)s is not paired with %(member)s.")
                % {"household": household, "member": member}
            }
        )
    visit = LiaisonVisit(
        member=member,
        household=household,
        visited_on=visited_on,
        note=optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note")),
    )
    save_with_history(visit, actor=actor, reason="recorded")
    return visit


@transaction.atomic
def household_appeal_file(
    *,
    member: LiaisonMember,
    household: Household,
    title: str,
    actor,
    body: str = "",
    category: Category | None = None,
    received_at: dt.datetime | None = None,
) -> Appeal:
    """A household's appeal filed by its liaison member: channel 联户, the
    household and its community on the appeal."""
    if not Pairing.objects.filter(
        member=member, household=household, ended_on__isnull=True
    ).exists():
        raise ValidationError(
            {
                "household": _(
                    "%(household)s is not paired with %(member)s: only its own liaison member files for it."
                )
                % {"household": household, "member": member}
            }
        )
    appeal = appeal_submit(
        title=title,
        body=body,
        channel=Channel.LIAISON,
        category=category,
        received_at=received_at,
        submitter_name=household.head,
        address=household.address,
        community=household.community,
        actor=actor,
    )
    appeal.household = household
    save_with_history(appeal, actor=actor, reason="filed by liaison member")
    return appeal
