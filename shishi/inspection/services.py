"""Writes to 巡回指导: groups, rounds, the round plan, visits and findings.
A finding becomes a rectification item (立行立改) through the ledger's own
services, so the ledger's rules and history apply to it."""

import datetime as dt
from collections.abc import Iterable, Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.ledger import services as ledger
from shishi.ledger.bulk import BulkItem, items_open_bulk
from shishi.ledger.models import ItemKind
from shishi.ledger.permissions import require
from shishi.org.models import Unit

from .models import (
    NAME_MAX,
    TEXT_MAX,
    Finding,
    InspectionGroup,
    InspectionGroupMember,
    InspectionRound,
    Method,
    PlanEntry,
    Visit,
)


@transaction.atomic
def group_create(*, name: str, actor, sort_order: int = 0) -> InspectionGroup:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    if InspectionGroup.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("An inspection group named “%(name)s” exists already.") % {"name": name}}
        )
    group = InspectionGroup(name=name, sort_order=sort_order)
    save_with_history(group, actor=actor, reason="created")
    return group


@transaction.atomic
def group_member_add(
    *, group: InspectionGroup, name: str, unit: Unit, actor, is_head: bool = False
) -> InspectionGroupMember:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": _("Choose a unit that is in use.")})
    if is_head and group.members.filter(is_head=True).exists():
        raise ValidationError({"is_head": _("%(group)s already has a head.") % {"group": group}})
    if group.members.filter(name=name, unit=unit).exists():
        raise ValidationError(
            {
                "name": _("%(name)s of %(unit)s is already in %(group)s.")
                % {"name": name, "unit": unit, "group": group}
            }
        )
    member = InspectionGroupMember(group=group, name=name, unit=unit, is_head=is_head)
    save_with_history(member, actor=actor, reason="added")
    return member


@transaction.atomic
def round_create(
    *, number: int, title: str, starts_on: dt.date, ends_on: dt.date, actor
) -> InspectionRound:
    title = require_text(title, field="title", max_length=200, label=_("Title"))
    if number < 1:
        raise ValidationError({"number": _("A round's number starts at 1.")})
    if ends_on < starts_on:
        raise ValidationError(
            {
                "ends_on": _("The round ends (%(end)s) before it starts (%(start)s).")
                % {"end": ends_on, "start": starts_on}
            }
        )
    if InspectionRound.objects.filter(number=number).exists():
        raise ValidationError({"number": _("Round %(n)d exists already.") % {"n": number}})
    round_ = InspectionRound(number=number, title=title, starts_on=starts_on, ends_on=ends_on)
    save_with_history(round_, actor=actor, reason="created")
    return round_


@transaction.atomic
def plan_set(
    *, round: InspectionRound, group: InspectionGroup, units: Iterable[Unit], actor
) -> list[PlanEntry]:
    """Plan `group` to visit `units` in `round`. A unit is planned once per
    round; a unit already planned (for this group or another) is refused."""
    units = list(units)
    planned = dict(
        PlanEntry.objects.filter(round=round, unit__in=units).values_list("unit_id", "group__name")
    )
    for unit in units:
        if not unit.is_active or not unit.is_participating:
            raise ValidationError(
                {"units": _("%(unit)s is not a participating unit.") % {"unit": unit}}
            )
        if unit.pk in planned:
            raise ValidationError(
                {
                    "units": _("%(unit)s is already planned in %(round)s (for %(group)s).")
                    % {"unit": unit, "round": round, "group": planned[unit.pk]}
                }
            )
    if len({u.pk for u in units}) != len(units):
        raise ValidationError({"units": _("A unit is named twice.")})
    entries = []
    for unit in units:
        entry = PlanEntry(round=round, group=group, unit=unit)
        save_with_history(entry, actor=actor, reason="planned")
        entries.append(entry)
    return entries


def _clean_methods(methods: Sequence[str]) -> list[str]:
    known = dict(Method.choices)
    cleaned = []
    for method in methods:
        if method not in known:
            raise ValidationError(
                {"methods": _("Unknown method: “%(method)s”.") % {"method": method}}
            )
        if method not in cleaned:
            cleaned.append(method)
    if not cleaned:
        raise ValidationError({"methods": _("Name at least one method of the visit.")})
    return cleaned


def plan_entry_for(*, round: InspectionRound, group: InspectionGroup, unit: Unit) -> PlanEntry:
    """The plan entry a visit belongs to; refused, saying why, when the unit is
    outside the round's plan or planned for another group."""
    entry = PlanEntry.objects.select_related("group").filter(round=round, unit=unit).first()
    if entry is None:
        raise ValidationError(
            {
                "unit": _(
                    "%(unit)s is not in the plan of %(round)s: a visit there is not recorded."
                )
                % {"unit": unit, "round": round}
            }
        )
    if entry.group_id != group.pk:
        raise ValidationError(
            {
                "group": _("In %(round)s, %(unit)s is planned for %(planned)s, not %(group)s.")
                % {"round": round, "unit": unit, "planned": entry.group, "group": group}
            }
        )
    return entry


@transaction.atomic
def visit_record(
    *,
    round: InspectionRound,
    group: InspectionGroup,
    unit: Unit,
    visited_on: dt.date,
    methods: Sequence[str],
    actor,
    summary: str = "",
) -> Visit:
    require(
        actor.has_perm("inspection.add_visit"),
        _("Only the inspection staff (supervisors) record visits."),
    )
    entry = plan_entry_for(round=round, group=group, unit=unit)
    if not round.starts_on <= visited_on <= round.ends_on:
        raise ValidationError(
            {
                "visited_on": _("%(day)s is outside %(round)s (%(start)s – %(end)s).")
                % {
                    "day": visited_on,
                    "round": round,
                    "start": round.starts_on,
                    "end": round.ends_on,
                }
            }
        )
    visit = Visit(
        plan=entry,
        visited_on=visited_on,
        methods=_clean_methods(methods),
        summary=optional_text(summary, field="summary", max_length=TEXT_MAX, label=_("Summary")),
    )
    save_with_history(visit, actor=actor, reason="recorded")
    return visit


@transaction.atomic
def finding_record(
    *,
    visit: Visit,
    text: str,
    category: Category,
    actor,
    deadline: dt.datetime | None = None,
) -> Finding:
    """A finding on a visit: opened at once as a rectification item (立行立改)
    led by the visited unit."""
    text = require_text(text, field="text", max_length=200, label=_("Finding"))
    unit = visit.plan.unit
    item = ledger.item_create(
        kind=ItemKind.RECTIFICATION,
        title=text,
        category=category,
        deadline=deadline,
        lead_unit=unit,
        description=_("Found by %(group)s at %(unit)s on %(day)s.")
        % {"group": visit.plan.group, "unit": unit, "day": visit.visited_on},
        actor=actor,
    )
    item = ledger.item_open(item=item, actor=actor)
    finding = Finding(visit=visit, text=text, item=item)
    save_with_history(finding, actor=actor, reason="found")
    return finding


@transaction.atomic
def findings_record_bulk(
    *, visit: Visit, texts: Sequence[str], category: Category, actor, deadline: dt.datetime
) -> list[Finding]:
    """Many findings of one visit at once (a visit's list imported from
    Excel, the demo): the same rules as `finding_record`, opened in bulk."""
    unit = visit.plan.unit
    description = _("Found by %(group)s at %(unit)s on %(day)s.") % {
        "group": visit.plan.group,
        "unit": unit,
        "day": visit.visited_on,
    }
    items = items_open_bulk(
        kind=ItemKind.RECTIFICATION,
        specs=[
            BulkItem(
                title=t,
                category=category,
                deadline=deadline,
                lead_unit=unit,
                description=description,
            )
            for t in texts
        ],
        actor=actor,
    )
    return bulk_create_with_history(
        [Finding(visit=visit, text=item.title, item=item) for item in items],
        Finding,
        default_user=actor,
        default_change_reason="found",
    )
