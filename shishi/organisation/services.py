"""Writes to the campaign's organisation: bodies and members, plans and their
tasks, leaders' contact units and visits. Each checks its input, says what was
wrong, and stores nothing when refused."""

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.org.models import Unit
from shishi.org.roles import LEADER, ROLE_GROUPS

from .models import (
    NAME_MAX,
    TEXT_MAX,
    TITLE_MAX,
    Body,
    BodyMember,
    ContactUnit,
    ContactVisit,
    Document,
    DocumentTask,
    MemberRole,
    TaskStatus,
)


def _active_unit(unit: Unit | None, *, field: str = "unit") -> Unit:
    if unit is None or not unit.is_active:
        raise ValidationError({field: _("Choose a unit that is in use.")})
    return unit


@transaction.atomic
def body_create(*, name: str, kind: str, actor, duties: str = "", sort_order: int = 0) -> Body:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    if Body.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("A body named “%(name)s” exists already.") % {"name": name}}
        )
    if kind in ("leading_group", "office") and Body.objects.filter(kind=kind).exists():
        raise ValidationError({"kind": _("There is already one body of this kind.")})
    body = Body(
        name=name,
        kind=kind,
        duties=optional_text(duties, field="duties", max_length=TEXT_MAX, label=_("Duties")),
        sort_order=sort_order,
    )
    body.full_clean()
    save_with_history(body, actor=actor, reason="created")
    return body


@transaction.atomic
def body_member_add(
    *, body: Body, name: str, unit: Unit, actor, position: str = "", role: str = MemberRole.MEMBER
) -> BodyMember:
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Name"))
    unit = _active_unit(unit)
    if role == MemberRole.HEAD and body.members.filter(role=MemberRole.HEAD).exists():
        raise ValidationError({"role": _("%(body)s already has a head.") % {"body": body}})
    if body.members.filter(name=name, unit=unit).exists():
        raise ValidationError(
            {
                "name": _("%(name)s of %(unit)s is already on %(body)s.")
                % {"name": name, "unit": unit, "body": body}
            }
        )
    member = BodyMember(body=body, name=name, unit=unit, role=role, position=position.strip())
    save_with_history(member, actor=actor, reason="added")
    return member


@transaction.atomic
def document_create(*, kind: str, title: str, issued_on: dt.date, issuer: Unit, actor) -> Document:
    title = require_text(title, field="title", max_length=TITLE_MAX, label=_("Title"))
    if Document.objects.filter(title=title).exists():
        raise ValidationError({"title": _("“%(title)s” exists already.") % {"title": title}})
    if kind == "overall_plan" and Document.objects.filter(kind=kind).exists():
        raise ValidationError({"kind": _("There is already an overall plan.")})
    document = Document(kind=kind, title=title, issued_on=issued_on, issuer=_active_unit(issuer))
    document.full_clean()
    save_with_history(document, actor=actor, reason="created")
    return document


@transaction.atomic
def document_task_add(
    *, document: Document, title: str, unit: Unit, deadline: dt.date, actor
) -> DocumentTask:
    title = require_text(title, field="title", max_length=TITLE_MAX, label=_("Task"))
    if deadline < document.issued_on:
        raise ValidationError(
            {
                "deadline": _(
                    "The deadline %(deadline)s is before the plan was issued (%(issued)s)."
                )
                % {"deadline": deadline, "issued": document.issued_on}
            }
        )
    task = DocumentTask(document=document, title=title, unit=_active_unit(unit), deadline=deadline)
    save_with_history(task, actor=actor, reason="added")
    return task


@transaction.atomic
def document_task_complete(*, task: DocumentTask, done_on: dt.date, actor) -> DocumentTask:
    task = DocumentTask.objects.select_for_update().get(pk=task.pk)
    if task.status == TaskStatus.DONE:
        raise ValidationError(_("“%(task)s” is already done.") % {"task": task})
    task.status = TaskStatus.DONE
    task.done_on = done_on
    save_with_history(task, actor=actor, reason="done")
    return task


def _is_leader(user) -> bool:
    return user.is_active and user.groups.filter(name=ROLE_GROUPS[LEADER]).exists()


@transaction.atomic
def contact_unit_assign(*, leader, unit: Unit, actor) -> ContactUnit:
    """联系单位: `leader` becomes responsible for `unit`."""
    if leader is None or not _is_leader(leader):
        raise ValidationError({"leader": _("Choose an active responsible leader.")})
    unit = _active_unit(unit)
    if ContactUnit.objects.filter(leader=leader, unit=unit).exists():
        raise ValidationError(
            {
                "unit": _("%(unit)s is already a contact unit of %(leader)s.")
                % {"unit": unit, "leader": leader}
            }
        )
    contact = ContactUnit(leader=leader, unit=unit)
    try:
        with transaction.atomic():
            save_with_history(contact, actor=actor, reason="assigned")
    except IntegrityError:
        # A simultaneous assignment of the same pair won.
        raise ValidationError(
            {
                "unit": _("%(unit)s is already a contact unit of %(leader)s.")
                % {"unit": unit, "leader": leader}
            }
        ) from None
    return contact


@transaction.atomic
def contact_visit_record(
    *, contact: ContactUnit, visited_on: dt.date, actor, note: str = ""
) -> ContactVisit:
    visit = ContactVisit(
        contact=contact,
        visited_on=visited_on,
        note=optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note")),
    )
    save_with_history(visit, actor=actor, reason="recorded")
    return visit
