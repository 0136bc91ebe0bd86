"""Writes to the campaign's activities: meetings and the matters found at them
(opened as rectification items through the ledger), study records, lecture
groups, speakers and lectures."""

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.ledger.bulk import BulkItem, items_open_bulk
from shishi.ledger.models import ItemKind
from shishi.ledger.permissions import require
from shishi.org.models import Unit

from .models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Lecture,
    LectureGroup,
    MatterKind,
    Meeting,
    MeetingKind,
    MeetingMatter,
    Speaker,
    StudyKind,
    StudyRecord,
)


def _unit(unit: Unit | None) -> Unit:
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": _("Choose a unit that is in use.")})
    return unit


def _count(value, *, field: str, label: str) -> int:
    """A count of people or things: a whole number, zero or more."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            {
                field: _("%(field)s is not a whole number: “%(value)s”.")
                % {"field": label, "value": value}
            }
        ) from None
    if number < 0:
        raise ValidationError(
            {
                field: _("%(field)s cannot be below zero (%(value)s).")
                % {"field": label, "value": value}
            }
        )
    if number > 10_000_000:
        raise ValidationError(
            {field: _("%(field)s is too large (%(value)s).") % {"field": label, "value": value}}
        )
    return number


def _choice(value: str, choices, *, field: str) -> str:
    if value not in dict(choices):
        raise ValidationError({field: _("Unknown kind: “%(kind)s”.") % {"kind": value}})
    return value


@transaction.atomic
def meeting_record(
    *,
    kind: str,
    title: str,
    held_on: dt.date,
    unit: Unit,
    actor,
    participants=0,
    note: str = "",
) -> Meeting:
    require(actor.has_perm("activities.add_meeting"), _("You may not record meetings."))
    meeting = Meeting(
        kind=_choice(kind, MeetingKind.choices, field="kind"),
        title=require_text(title, field="title", max_length=TITLE_MAX, label=_("Title")),
        held_on=held_on,
        unit=_unit(unit),
        participants=_count(participants, field="participants", label=_("Participants")),
        note=optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note")),
    )
    save_with_history(meeting, actor=actor, reason="recorded")
    return meeting


@transaction.atomic
def meeting_matters_open(
    *,
    meeting: Meeting,
    titles: Sequence[str],
    kind: str,
    category: Category,
    actor,
    lead_unit: Unit | None = None,
    deadline: dt.datetime | None = None,
) -> list[MeetingMatter]:
    """The matters found at a meeting, opened as rectification items
    (立行立改 / 即知即改) led by the meeting's unit unless another is named."""
    _choice(kind, MatterKind.choices, field="kind")
    if not titles:
        raise ValidationError({"titles": _("Name at least one matter.")})
    description = _("Found at “%(meeting)s” on %(day)s (%(kind)s).") % {
        "meeting": meeting,
        "day": meeting.held_on,
        "kind": dict(MatterKind.choices)[kind],
    }
    items = items_open_bulk(
        kind=ItemKind.RECTIFICATION,
        specs=[
            BulkItem(
                title=title,
                category=category,
                lead_unit=lead_unit or meeting.unit,
                deadline=deadline,
                description=description,
            )
            for title in titles
        ],
        actor=actor,
    )
    matters = [MeetingMatter(meeting=meeting, kind=kind, item=item) for item in items]
    return bulk_create_with_history(
        matters, MeetingMatter, default_user=actor, default_change_reason="opened"
    )


@transaction.atomic
def study_record(
    *,
    kind: str,
    title: str,
    held_on: dt.date,
    unit: Unit,
    actor,
    count=0,
    place: str = "",
    speaker: str = "",
) -> StudyRecord:
    record = StudyRecord(
        kind=_choice(kind, StudyKind.choices, field="kind"),
        title=require_text(title, field="title", max_length=TITLE_MAX, label=_("Title")),
        held_on=held_on,
        unit=_unit(unit),
        count=_count(count, field="count", label=_("Attendance or count")),
        place=optional_text(place, field="place", max_length=TITLE_MAX, label=_("Place")),
        speaker=optional_text(speaker, field="speaker", max_length=NAME_MAX, label=_("Speaker")),
    )
    save_with_history(record, actor=actor, reason="recorded")
    return record


@transaction.atomic
def lecture_group_create(*, name: str, unit: Unit, actor) -> LectureGroup:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    if LectureGroup.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A lecture group named “%(name)s” exists already.") % {"name": name}}
        )
    group = LectureGroup(name=name, unit=_unit(unit))
    save_with_history(group, actor=actor, reason="created")
    return group


@transaction.atomic
def speaker_add(*, group: LectureGroup, name: str, actor, title: str = "") -> Speaker:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    if group.speakers.filter(name=name).exists():
        raise ValidationError(
            {
                "name": _("%(name)s is already a speaker of %(group)s.")
                % {"name": name, "group": group}
            }
        )
    speaker = Speaker(
        group=group,
        name=name,
        title=optional_text(title, field="title", max_length=NAME_MAX, label=_("Position")),
    )
    save_with_history(speaker, actor=actor, reason="added")
    return speaker


def lecture_clean(
    *, speaker: Speaker, title: str, held_on: dt.date, unit: Unit, attendance, place: str = ""
) -> Lecture:
    """A lecture checked by the rules, not yet stored (the bulk path stores many)."""
    if speaker is None:
        raise ValidationError({"speaker": _("Choose the speaker.")})
    return Lecture(
        group_id=speaker.group_id,
        speaker=speaker,
        title=require_text(title, field="title", max_length=TITLE_MAX, label=_("Title")),
        held_on=held_on,
        unit=_unit(unit),
        attendance=_count(attendance, field="attendance", label=_("Attendance")),
        place=optional_text(place, field="place", max_length=TITLE_MAX, label=_("Place")),
    )


@transaction.atomic
def lecture_record(
    *, speaker: Speaker, title: str, held_on: dt.date, unit: Unit, attendance, actor, place=""
) -> Lecture:
    require(actor.has_perm("activities.add_lecture"), _("You may not record lectures."))
    lecture = lecture_clean(
        speaker=speaker, title=title, held_on=held_on, unit=unit, attendance=attendance, place=place
    )
    save_with_history(lecture, actor=actor, reason="recorded")
    return lecture


@transaction.atomic
def lectures_record_bulk(*, lectures: Sequence[dict], actor) -> list[Lecture]:
    """Many lectures (an Excel list, the demo): each checked by `lecture_clean`,
    all stored or none; a bad one is named by its 1-based row."""
    require(actor.has_perm("activities.add_lecture"), _("You may not record lectures."))
    cleaned = []
    for row, fields in enumerate(lectures, start=1):
        try:
            cleaned.append(lecture_clean(**fields))
        except ValidationError as error:
            messages = (
                [m for ms in error.message_dict.values() for m in ms]
                if hasattr(error, "error_dict")
                else error.messages
            )
            raise ValidationError(
                _("Row %(row)d: %(error)s") % {"row": row, "error": " ".join(messages)}
            ) from None
    return bulk_create_with_history(
        cleaned, Lecture, batch_size=500, default_user=actor, default_change_reason="recorded"
    )
