"""Every change to a work order. Each service checks who acts, locks the order
(two handlers acting at once: the second waits, then is told what the first
did), moves it through ORDER_TRANSITIONS and saves it with its history. The
appeal follows the order through APPEAL_TRANSITIONS."""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shishi.core.lifecycle import check_transition, optional_text, require_text, save_with_history
from shishi.core.uploads import IMAGE_SIGNATURES, check_upload
from shishi.intake.lifecycle import APPEAL_TRANSITIONS
from shishi.intake.models import Appeal, AppealOutcome, AppealStatus
from shishi.intake.rating_keys import filed_by, may_rate
from shishi.intake.services import notice_record
from shishi.ledger.models import Satisfaction
from shishi.org.models import Unit
from shishi.reminders.models import Reason
from shishi.reminders.services import ReminderSpec, reminders_create, unit_members_with, users_with
from shishi.service_levels.deadlines import Limit, PolicyBook, current_book

from . import permissions
from .lifecycle import ORDER_TRANSITIONS
from .models import (
    REASON_MAX,
    TEXT_MAX,
    ExtensionRequest,
    ExtensionStatus,
    HandlingNote,
    NotePhoto,
    OrderFollowUp,
    OrderStatus,
    WorkOrder,
)

# Supervisors are told when a resident is not satisfied.
SUPERVISOR_PERM = "supervision.manage_supervisionorder"

# Without a policy that sets them: sign within a working day, done within five.
DEFAULT_SIGN = Limit(1, "working_days")
DEFAULT_HANDLE = Limit(5, "working_days")
# An extension may move the deadline at most this many handling periods past
# the first one (counted from dispatch or re-handling): the policy's time to
# respond, once more.
EXTENSION_PERIODS = 1
MAX_PHOTOS = 5

_REASON = gettext_lazy("Reason")
_REPLY = gettext_lazy("Reply")


def _locked(order: WorkOrder) -> WorkOrder:
    return WorkOrder.objects.select_for_update().select_related("unit", "appeal").get(pk=order.pk)


def _locked_appeal(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _check(order: WorkOrder, name: str):
    return check_transition(ORDER_TRANSITIONS, name, order, OrderStatus.choices)


def _appeal_move(appeal: Appeal, name: str, *, actor, reason: str) -> Appeal:
    transition = check_transition(APPEAL_TRANSITIONS, name, appeal, AppealStatus.choices)
    appeal.status = transition.target
    return appeal


# ------------------------------------------------------------------ deadlines


@dataclass(frozen=True)
class OrderDeadlines:
    sign_due: dt.datetime
    due_at: dt.datetime
    max_due: dt.datetime


def order_deadlines(
    *, category_id: int | None, start: dt.datetime, book: PolicyBook | None = None
) -> OrderDeadlines:
    """Sign within the policy's time to acknowledge, be done within its time to
    respond, both counted from `start` (the dispatch or the re-handling)."""
    book = book or current_book()
    limits = book.limits(category_id=category_id)
    sign = limits.acknowledge or DEFAULT_SIGN
    handle = limits.respond or DEFAULT_HANDLE
    return OrderDeadlines(
        sign_due=book.due(start, sign),
        due_at=book.due(start, handle),
        max_due=book.due(start, Limit(handle.amount * (1 + EXTENSION_PERIODS), handle.unit)),
    )


def extension_max_due(order: WorkOrder, book: PolicyBook | None = None) -> dt.datetime:
    start = order.rehandled_at or order.dispatched_at
    return order_deadlines(category_id=order.appeal.category_id, start=start, book=book).max_due


# --------------------------------------------------------------- replies


# What a reply may say besides its substance: greetings, thanks, "received".
BOILERPLATE = (
    "您好",
    "你好",
    "尊敬的市民",
    "尊敬的群众",
    "市民朋友",
    "已收悉",
    "收悉",
    "已收到",
    "收到",
    "谢谢",
    "感谢您的来电",
    "感谢您的反映",
    "感谢您的支持",
    "感谢",
    "已知悉",
    "知悉",
    "知道了",
    "好的",
    "已处理",
    "已办理",
    "正在处理",
    "正在办理",
    "此致",
    "敬礼",
)
# A reply must say what was done in at least this many characters of its own.
REPLY_MIN_CHARS = 10
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)


def reply_clean(text) -> str:
    """A reply to the resident, refused when it says nothing once greetings,
    thanks and "received" are taken out."""
    text = require_text(text, field="reply", max_length=TEXT_MAX, label=_REPLY)
    substance = _PUNCT.sub("", text)
    for phrase in sorted(BOILERPLATE, key=len, reverse=True):
        substance = substance.replace(phrase, "")
    if len(substance) < REPLY_MIN_CHARS:
        raise ValidationError(
            {
                "reply": _(
                    "The reply says nothing the resident can use: besides greetings and "
                    "“received”, say what was done, what was found or when it will be done "
                    "(at least %(min)d characters)."
                )
                % {"min": REPLY_MIN_CHARS}
            }
        )
    return text


# --------------------------------------------------------------- dispatch


def _units_clean(unit: Unit, cooperating: Iterable[Unit]) -> list[Unit]:
    if not unit.is_active:
        raise ValidationError(
            {"unit": _("The unit “%(unit)s” is no longer active.") % {"unit": unit}}
        )
    others = []
    for other in cooperating:
        if not other.is_active:
            raise ValidationError(
                {
                    "cooperating_units": _("The unit “%(unit)s” is no longer active.")
                    % {"unit": other}
                }
            )
        if other.pk != unit.pk and other not in others:
            others.append(other)
    return others


def _order_create(
    *,
    appeal: Appeal,
    unit: Unit,
    cooperating: list[Unit],
    actor,
    instructions: str,
    previous: WorkOrder | None,
    now: dt.datetime,
) -> WorkOrder:
    due = order_deadlines(category_id=appeal.category_id, start=now)
    sequence = WorkOrder.objects.filter(appeal=appeal).count() + 1
    order = WorkOrder(
        number=f"{appeal.tracking_number}-{sequence}",
        appeal=appeal,
        unit=unit,
        instructions=instructions,
        previous=previous,
        dispatched_at=now,
        dispatched_by=actor,
        sign_due=due.sign_due,
        due_at=due.due_at,
    )
    save_with_history(order, actor=actor, reason=f"dispatched to {unit.pk}")
    if cooperating:
        order.cooperating_units.set(cooperating)
    return order


@transaction.atomic
def order_dispatch(
    *,
    appeal: Appeal,
    unit: Unit,
    actor,
    cooperating_units: Iterable[Unit] = (),
    instructions: str = "",
) -> WorkOrder:
    """派单: the centre gives an appeal that is in no item to one lead unit."""
    permissions.require_centre(actor)
    instructions = optional_text(
        instructions, field="instructions", max_length=TEXT_MAX, label=_("Instructions")
    )
    cooperating = _units_clean(unit, cooperating_units)
    appeal = _locked_appeal(appeal)
    if appeal.item_id is not None:
        raise ValidationError(
            _("“%(appeal)s” belongs to a ledger item; its item is how it is handled.")
            % {"appeal": appeal}
        )
    _appeal_move(appeal, "dispatch", actor=actor, reason="dispatched")
    now = timezone.now()
    if appeal.acknowledged_at is None:
        appeal.acknowledged_at = now
    order = _order_create(
        appeal=appeal,
        unit=unit,
        cooperating=cooperating,
        actor=actor,
        instructions=instructions,
        previous=None,
        now=now,
    )
    save_with_history(appeal, actor=actor, reason=f"dispatched as {order.number}")
    notice_record(
        appeal=appeal,
        message=_("Your appeal has been passed to %(unit)s, who will handle it by %(due)s.")
        % {"unit": unit, "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")},
    )
    return order


@transaction.atomic
def order_redispatch(
    *,
    order: WorkOrder,
    unit: Unit,
    actor,
    cooperating_units: Iterable[Unit] = (),
    instructions: str = "",
    reason: str = "",
) -> WorkOrder:
    """转派: only the centre moves an order to another unit (or back to the same
    one after a return). The old order ends; a new one starts its own clock."""
    permissions.require_centre(actor)
    instructions = optional_text(
        instructions, field="instructions", max_length=TEXT_MAX, label=_("Instructions")
    )
    reason = optional_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    cooperating = _units_clean(unit, cooperating_units)
    order = _locked(order)
    transition = _check(order, "reassign")
    _extension_close(order, actor=actor, note=_("The order was re-dispatched."))
    order.status = transition.target
    save_with_history(order, actor=actor, reason=reason or f"re-dispatched to {unit.pk}")
    appeal = _locked_appeal(order.appeal)
    new = _order_create(
        appeal=appeal,
        unit=unit,
        cooperating=cooperating,
        actor=actor,
        instructions=instructions,
        previous=order,
        now=timezone.now(),
    )
    if unit.pk != order.unit_id:
        notice_record(
            appeal=appeal,
            message=_("Your appeal has been passed to %(unit)s.") % {"unit": unit},
        )
    return new


@transaction.atomic
def order_cancel(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """The centre withdraws an order; its appeal goes back to the intake queue."""
    permissions.require_centre(actor)
    reason = require_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    order = _locked(order)
    transition = _check(order, "cancel")
    _extension_close(order, actor=actor, note=_("The order was cancelled."))
    order.status = transition.target
    order.review_note = reason
    save_with_history(order, actor=actor, reason=reason)
    appeal = _locked_appeal(order.appeal)
    _appeal_move(appeal, "recall", actor=actor, reason=reason)
    save_with_history(appeal, actor=actor, reason=f"{order.number} cancelled")
    return order


# ------------------------------------------------------------------ the unit


@transaction.atomic
def order_sign(*, order: WorkOrder, actor) -> WorkOrder:
    """签收: a handler of the lead unit takes the order in hand. A second
    signature (the same handler twice, or a colleague at the same moment) is
    refused with who signed and when."""
    permissions.require_handler(actor, order)
    order = _locked(order)
    if order.status != OrderStatus.DISPATCHED and order.signed_at is not None:
        raise ValidationError(
            _("Work order %(number)s was already signed for by %(user)s at %(time)s.")
            % {
                "number": order.number,
                "user": order.signed_by or "—",
                "time": timezone.localtime(order.signed_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="already_signed",
        )
    transition = _check(order, "sign")
    order.status = transition.target
    order.signed_at = timezone.now()
    order.signed_by = actor
    save_with_history(order, actor=actor, reason="signed")
    return order


@transaction.atomic
def order_note_add(
    *, order: WorkOrder, actor, text: str, photos: Sequence[UploadedFile] = ()
) -> HandlingNote:
    """办理: what the unit did, with photos (checked before anything is stored)."""
    permissions.require_handler(actor, order)
    text = require_text(text, field="text", max_length=TEXT_MAX, label=_("Note"))
    photos = list(photos)
    if len(photos) > MAX_PHOTOS:
        raise ValidationError(
            {"photos": _("Attach at most %(count)d photos.") % {"count": MAX_PHOTOS}}
        )
    for photo in photos:
        check_upload(
            photo,
            field="photos",
            signatures=IMAGE_SIGNATURES,
            max_bytes=settings.SHISHI_APPEAL_PHOTO_MAX_BYTES,
            wrong_kind=_("“%(name)s” is not a photo: use JPEG, PNG, GIF or WebP."),
        )
    order = _locked(order)
    _check(order, "note")
    note = HandlingNote.objects.create(order=order, text=text, author=actor)
    for photo in photos:
        NotePhoto.objects.create(
            note=note, file=photo, original_name=(photo.name or "photo")[:255], size=photo.size
        )
    return note


@transaction.atomic
def order_reply(*, order: WorkOrder, actor, reply: str) -> WorkOrder:
    """办结: the unit's reply to the resident, which the centre reviews first."""
    permissions.require_handler(actor, order)
    reply = reply_clean(reply)
    order = _locked(order)
    transition = _check(order, "reply")
    _extension_close(order, actor=actor, note=_("The unit replied."))
    order.status = transition.target
    order.reply = reply
    order.replied_at = timezone.now()
    save_with_history(order, actor=actor, reason="replied")
    return order


@transaction.atomic
def order_return(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """退单: "not ours", with the reason; the centre re-dispatches it."""
    permissions.require_handler(actor, order)
    reason = require_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    order = _locked(order)
    transition = _check(order, "return")
    _extension_close(order, actor=actor, note=_("The order was returned."))
    order.status = transition.target
    order.returned_at = timezone.now()
    order.return_reason = reason
    save_with_history(order, actor=actor, reason=reason)
    return order


@transaction.atomic
def order_extension_request(
    *, order: WorkOrder, actor, reason: str, new_due: dt.datetime
) -> ExtensionRequest:
    """延期申请: a later deadline, with the reason; at most the policy's time to
    handle once more past the first deadline."""
    permissions.require_handler(actor, order)
    reason = require_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    if not isinstance(new_due, dt.datetime) or timezone.is_naive(new_due):
        raise ValidationError({"new_due": _("The new deadline must be a date and time.")})
    order = _locked(order)
    _check(order, "extend")
    if new_due <= order.due_at:
        raise ValidationError(
            {
                "new_due": _("The new deadline must be after the current one (%(due)s).")
                % {"due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M")}
            }
        )
    limit = extension_max_due(order)
    if new_due > limit:
        raise ValidationError(
            {
                "new_due": _(
                    "The new deadline is past what the service-level policy allows: "
                    "at most %(max)s."
                )
                % {"max": timezone.localtime(limit).strftime("%Y-%m-%d %H:%M")}
            }
        )
    if order.extensions.filter(status=ExtensionStatus.PENDING).exists():
        raise ValidationError(
            _("Work order %(number)s already has an extension request waiting for the centre.")
            % {"number": order.number}
        )
    request = ExtensionRequest(
        order=order,
        reason=reason,
        requested_due=new_due,
        previous_due=order.due_at,
        requested_by=actor,
    )
    save_with_history(request, actor=actor, reason="requested")
    return request


def _extension_close(order: WorkOrder, *, actor, note: str) -> None:
    """An order that leaves the unit's hands takes its pending request along."""
    for request in order.extensions.select_for_update().filter(status=ExtensionStatus.PENDING):
        request.status = ExtensionStatus.REFUSED
        request.decided_at = timezone.now()
        request.decision_note = note
        save_with_history(request, actor=actor, reason="closed with its order")


# ------------------------------------------------------------------ the centre


@transaction.atomic
def order_extension_decide(
    *, request: ExtensionRequest, actor, approve: bool, note: str = ""
) -> ExtensionRequest:
    """The centre approves (the order's deadline moves) or refuses (with a reason)."""
    permissions.require_centre(actor)
    note = optional_text(note, field="note", max_length=REASON_MAX, label=_REASON)
    if not approve and not note:
        raise ValidationError({"note": _("Say why the extension is refused.")})
    request = ExtensionRequest.objects.select_for_update().get(pk=request.pk)
    order = _locked(request.order)
    if request.status != ExtensionStatus.PENDING:
        raise ValidationError(
            _("This extension request was already decided: %(status)s.")
            % {"status": request.get_status_display()}
        )
    _check(order, "decide_extension")
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.decision_note = note
    save_with_history(request, actor=actor, reason=request.status)
    if approve:
        order.due_at = request.requested_due
        order.extension_count += 1
        save_with_history(order, actor=actor, reason="extension approved")
    return request


@transaction.atomic
def order_review(*, order: WorkOrder, actor, accept: bool, note: str = "") -> WorkOrder:
    """审核: accept the reply (the order closes, the resident gets the reply and
    the appeal counts as answered) or send it back to the unit with a reason."""
    permissions.require_centre(actor)
    note = optional_text(note, field="note", max_length=REASON_MAX, label=_REASON)
    if not accept and not note:
        raise ValidationError({"note": _("Say why the reply is sent back.")})
    order = _locked(order)
    if not accept:
        transition = _check(order, "send_back")
        order.status = transition.target
        order.review_note = note
        save_with_history(order, actor=actor, reason=note)
        return order
    transition = _check(order, "accept")
    now = timezone.now()
    order.status = transition.target
    order.closed_at = now
    order.review_note = note
    save_with_history(order, actor=actor, reason="reply accepted")
    appeal = _locked_appeal(order.appeal)
    _appeal_move(appeal, "answer_by_order", actor=actor, reason="answered")
    appeal.status_note = order.reply
    if appeal.acknowledged_at is None:
        appeal.acknowledged_at = now
    if appeal.responded_at is None:
        appeal.responded_at = now
        appeal.outcome = AppealOutcome.ANSWERED
    save_with_history(appeal, actor=actor, reason=f"answered by {order.number}")
    # The delivery adds the resident's own rating link (its key is never stored).
    notice_record(
        appeal=appeal,
        message=_("%(unit)s has answered your appeal: %(reply)s")
        % {"unit": order.unit, "reply": order.reply},
        invites_rating=True,
    )
    return order


@transaction.atomic
def order_rehandle(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """重办: after a dissatisfied follow-up, the closed order goes back to the
    same unit with a fresh deadline, and is counted; the unit is told."""
    permissions.require_centre(actor)
    reason = require_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    order = _locked(order)
    transition = _check(order, "rehandle")
    followup = _undecided_followup(order)
    now = timezone.now()
    due = order_deadlines(category_id=order.appeal.category_id, start=now)
    order.status = transition.target
    order.rehandle_count += 1
    order.rehandled_at = now
    order.due_at = due.due_at
    order.review_note = reason
    order.closed_at = None
    save_with_history(order, actor=actor, reason=reason)
    followup.decision, followup.decided_at = "rehandle", now
    save_with_history(followup, actor=actor, reason="re-handle")
    appeal = _locked_appeal(order.appeal)
    _appeal_move(appeal, "rehandle", actor=actor, reason=reason)
    save_with_history(appeal, actor=actor, reason=f"re-handled by {order.number}")
    _notify(order, Reason.WORK_ORDER_REHANDLE, supervisors=False)
    return order


# ------------------------------------------------------------------ follow-ups


def _undecided_followup(order: WorkOrder) -> OrderFollowUp:
    followup = (
        order.followups.select_for_update()
        .filter(round=order.rehandle_count, result=Satisfaction.DISSATISFIED, decided_at=None)
        .first()
    )
    if followup is None:
        raise ValidationError(
            _(
                "Work order %(number)s has no dissatisfied follow-up waiting for a decision: "
                "only a resident's dissatisfaction sends an order back or closes it this way."
            )
            % {"number": order.number}
        )
    return followup


def _notify(order: WorkOrder, reason: str, *, supervisors: bool) -> int:
    """Reminders to the unit's handlers (and the supervisors): one per round."""
    recipients = set(
        unit_members_with(permissions.HANDLER_PERM, [order.unit_id]).get(order.unit_id, [])
    )
    if supervisors:
        recipients |= set(users_with(SUPERVISOR_PERM))
    params = {
        "order": order.number,
        "title": order.appeal.title,
        "unit": order.unit.name,
        "due": timezone.localtime(order.due_at).strftime("%Y-%m-%d %H:%M"),
    }
    link = reverse("workorders:order", args=[order.number])
    return reminders_create(
        specs=[
            ReminderSpec(
                pk, reason, f"workorder:{order.pk}", str(order.rehandle_count), params, link
            )
            for pk in sorted(recipients)
        ]
    )


def _followup_save(order: WorkOrder, followup: OrderFollowUp, *, actor) -> OrderFollowUp:
    if order.followups.filter(round=order.rehandle_count).exists():
        raise ValidationError(_("This result has already been rated. Thank you."))
    save_with_history(followup, actor=actor, reason="follow-up")
    if followup.result == Satisfaction.DISSATISFIED:
        _notify(order, Reason.WORK_ORDER_DISSATISFIED, supervisors=True)
    return followup


def _result_clean(result: str) -> str:
    if result not in Satisfaction.values:
        raise ValidationError(
            {"result": _("Unknown follow-up result: %(result)s.") % {"result": result}}
        )
    return result


def _closed_order(appeal: Appeal) -> WorkOrder:
    order = (
        WorkOrder.objects.select_for_update()
        .select_related("unit", "appeal")
        .filter(appeal=appeal, status=OrderStatus.CLOSED)
        .first()
    )
    if order is None:
        raise ValidationError(_("This appeal can be rated once the unit's reply has reached you."))
    return order


@transaction.atomic
def order_followup_by_appellant(
    *, appeal: Appeal, result: str, note: str = "", actor=None, key: str = ""
) -> OrderFollowUp:
    """回访 by the resident: only with the secret of their own rating link, or
    through their own account. The public tracking number alone rates nothing."""
    if not may_rate(appeal, actor=actor, key=key):
        raise PermissionDenied(
            _("Only the resident who filed the appeal can rate it: use the link in your notice.")
        )
    result = _result_clean(result)
    note = optional_text(note, field="note", max_length=REASON_MAX, label=_("Note"))
    order = _closed_order(appeal)
    followup = OrderFollowUp(
        order=order,
        result=result,
        note=note,
        by_appellant=True,
        recorded_by=actor if filed_by(appeal, actor) else None,
        round=order.rehandle_count,
    )
    return _followup_save(order, followup, actor=followup.recorded_by)


@transaction.atomic
def order_followup_record(*, order: WorkOrder, actor, result: str, note: str = "") -> OrderFollowUp:
    """回访 by phone: the centre (or a supervisor) records what the resident said."""
    if not (permissions.is_centre(actor) or actor.has_perm("ledger.record_followup")):
        raise PermissionDenied(_("Only the centre or a supervisor may record follow-ups."))
    result = _result_clean(result)
    note = optional_text(note, field="note", max_length=REASON_MAX, label=_("Note"))
    order = _locked(order)
    if order.status != OrderStatus.CLOSED:
        raise ValidationError(
            _("Follow-ups are recorded for closed work orders; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    followup = OrderFollowUp(
        order=order, result=result, note=note, recorded_by=actor, round=order.rehandle_count
    )
    return _followup_save(order, followup, actor=actor)


@transaction.atomic
def order_followup_close(*, order: WorkOrder, actor, reason: str) -> WorkOrder:
    """After a dissatisfied follow-up the centre may close the matter with a
    reason instead of re-handling it: the appeal is closed."""
    permissions.require_centre(actor)
    reason = require_text(reason, field="reason", max_length=REASON_MAX, label=_REASON)
    order = _locked(order)
    if order.status != OrderStatus.CLOSED:
        raise ValidationError(
            _("Only a closed work order is closed after its follow-up; %(number)s is %(status)s.")
            % {"number": order.number, "status": order.get_status_display()}
        )
    followup = _undecided_followup(order)
    now = timezone.now()
    followup.decision, followup.decided_at = "close", now
    save_with_history(followup, actor=actor, reason=reason)
    order.review_note = reason
    save_with_history(order, actor=actor, reason=reason)
    appeal = _locked_appeal(order.appeal)
    _appeal_move(appeal, "close", actor=actor, reason=reason)
    appeal.closed_at = now
    save_with_history(appeal, actor=actor, reason=f"closed after {order.number}'s follow-up")
    return order
