"""Every write to a supervision order goes through these functions: the pages,
the sweep (orders_escalate_overdue in sweeps.py) and the tests call them."""

import datetime as dt
import heapq
import logging

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.core.lifecycle import check_transition, optional_text, require_text, save_with_history
from shishi.intake.models import Appeal
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit
from shishi.reminders.models import Reason
from shishi.reminders.services import (
    ReminderSpec,
    holders_of,
    reminders_create,
    unit_members_with,
)

from . import permissions
from .lifecycle import ORDER_TRANSITIONS
from .models import OPEN_STATUSES, TEXT_MAX, OrderStatus, SupervisionOrder, order_number

log = logging.getLogger(__name__)

ANSWER_PERM = "supervision.answer_supervisionorder"
MANAGE_PERM = "supervision.manage_supervisionorder"


def instant_period(value: dt.datetime) -> str:
    """A reminder period for a reminder owed once per event (each answer, each send-back)."""
    return value.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%S%f")


def local_text(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def supervisor_queue() -> list[tuple[int, int]]:
    """(open orders, user id) for every supervisor who may be assigned orders,
    least loaded first, ties by id: the order the sweep hands out work in.
    SHISHI_SUPERVISOR (a username) sends every order to one person instead."""
    User = get_user_model()
    configured = settings.SHISHI_SUPERVISOR
    candidates = User.objects.filter(pk__in=holders_of(MANAGE_PERM))
    if configured:
        if candidates.filter(username=configured).exists():
            candidates = candidates.filter(username=configured)
        else:
            log.warning("SHISHI_SUPERVISOR=%r is not an active supervisor; ignored", configured)
    rows = candidates.annotate(
        open_orders=Count(
            "supervision_orders", filter=Q(supervision_orders__status__in=OPEN_STATUSES)
        )
    ).values_list("open_orders", "pk")
    return sorted(rows)


def assign_supervisors(count: int, queue: list[tuple[int, int]]) -> list[int]:
    """Hand out `count` orders one at a time to the least-loaded supervisor."""
    heap = list(queue)
    heapq.heapify(heap)
    chosen = []
    for _n in range(count):
        load, pk = heapq.heappop(heap)
        chosen.append(pk)
        heapq.heappush(heap, (load + 1, pk))
    return chosen


def order_params(order: SupervisionOrder) -> dict:
    return {
        "order": order.number,
        "subject": order.subject_label,
        "answer_due": local_text(order.answer_due),
    }


def order_link(pk: int) -> str:
    return reverse("supervision:order", args=[pk])


def answerer_specs(rows, *, reason: str, period: str = "") -> list[ReminderSpec]:
    """Reminders to whoever may answer each order: the unit's handlers and the
    item's owner. `rows` are (order id, unit id, owner id or None, subject,
    answer due) tuples, so a sweep need not load thousands of orders."""
    rows = list(rows)
    by_unit = unit_members_with(ANSWER_PERM, {row[1] for row in rows})
    # One URL resolution, not one per order.
    placeholder = 987654321
    link = order_link(placeholder)
    specs = []
    for pk, unit_id, owner_id, subject, answer_due in rows:
        params = {
            "order": order_number(pk),
            "subject": subject,
            "answer_due": local_text(answer_due),
        }
        people = set(by_unit.get(unit_id, ()))
        if owner_id:
            people.add(owner_id)
        url = link.replace(str(placeholder), str(pk))
        specs += [
            ReminderSpec(user_id, reason, f"order:{pk}", period, params, url)
            for user_id in sorted(people)
        ]
    return specs


def remind_answerers(orders: list[SupervisionOrder], *, reason: str, period: str = "") -> int:
    rows = [
        (
            o.pk,
            o.unit_id,
            o.item.owner_id if o.item_id else None,
            o.subject_label,
            o.answer_due,
        )
        for o in orders
    ]
    return reminders_create(specs=answerer_specs(rows, reason=reason, period=period))


def _answer_due(answer_due: dt.datetime | None) -> dt.datetime:
    if answer_due is None:
        return timezone.now() + dt.timedelta(days=settings.SHISHI_ORDER_ANSWER_DAYS)
    if timezone.is_naive(answer_due):
        raise ValidationError({"answer_due": _("The answer date must include a time zone.")})
    if answer_due <= timezone.now():
        raise ValidationError(
            {
                "answer_due": _("The answer date %(date)s has already passed.")
                % {"date": local_text(answer_due)}
            }
        )
    return answer_due


@transaction.atomic
def order_issue(
    *,
    actor,
    reason: str,
    item: LedgerItem | None = None,
    appeal: Appeal | None = None,
    unit: Unit | None = None,
    answer_due: dt.datetime | None = None,
) -> SupervisionOrder:
    """A supervisor issues an order by hand, assigned to themselves. The unit to
    answer is the item's lead unit unless another is named."""
    permissions.require_issue(actor)
    if (item is None) == (appeal is None):
        raise ValidationError(_("A supervision order is about one item or one appeal."))
    reason = require_text(reason, field="reason", max_length=TEXT_MAX, label=_("Reason"))
    if unit is None:
        lead = item if item is not None else appeal.item
        unit = lead.lead_unit if lead is not None else None
    if unit is None:
        raise ValidationError({"unit": _("Name the unit that must answer.")})
    subject = SupervisionOrder.objects.open().filter(
        Q(item=item) if item is not None else Q(appeal=appeal)
    )
    existing = subject.first()
    if existing is not None:
        raise ValidationError(
            _("%(order)s on this is still open; close it before issuing another.")
            % {"order": existing.number}
        )
    order = SupervisionOrder(
        item=item,
        appeal=appeal,
        unit=unit,
        supervisor=actor,
        reason=reason,
        answer_due=_answer_due(answer_due),
        issued_by=actor,
    )
    try:
        with transaction.atomic():
            save_with_history(order, actor=actor, reason="issued")
    except IntegrityError:
        # Another order on it was issued meanwhile (one open order per subject).
        raise ValidationError(
            _("An order on this is still open; close it before issuing another.")
        ) from None
    remind_answerers([order], reason=Reason.ORDER_ISSUED)
    return order


def _locked(order: SupervisionOrder) -> SupervisionOrder:
    return (
        SupervisionOrder.objects.select_for_update(of=("self",))
        .select_related("item", "appeal", "unit", "supervisor")
        .get(pk=order.pk)
    )


def _move(order: SupervisionOrder, name: str, *, actor, reason: str = "") -> None:
    transition = check_transition(ORDER_TRANSITIONS, name, order, OrderStatus.choices)
    order.status = transition.target
    save_with_history(order, actor=actor, reason=f"{name}: {reason}" if reason else name)


@transaction.atomic
def order_answer(*, order: SupervisionOrder, actor, answer: str) -> SupervisionOrder:
    """The unit (or the owner) says what was done and what will be."""
    order = _locked(order)
    check_transition(ORDER_TRANSITIONS, "answer", order, OrderStatus.choices)
    permissions.require_answer(actor, order)
    order.answer = require_text(answer, field="answer", max_length=TEXT_MAX, label=_("Answer"))
    order.answered_by = actor
    order.answered_at = timezone.now()
    _move(order, "answer", actor=actor)
    reminders_create(
        specs=[
            ReminderSpec(
                recipient_id=order.supervisor_id,
                reason=Reason.ORDER_ANSWERED,
                subject=f"order:{order.pk}",
                # One per answer: an order sent back and answered again reminds again.
                period=instant_period(order.answered_at),
                params=order_params(order),
                link=order_link(order.pk),
            )
        ]
    )
    return order


@transaction.atomic
def order_send_back(
    *, order: SupervisionOrder, actor, reason: str, answer_due: dt.datetime | None = None
) -> SupervisionOrder:
    """The supervisor finds the answer wanting: the unit answers again by a new date."""
    order = _locked(order)
    check_transition(ORDER_TRANSITIONS, "send_back", order, OrderStatus.choices)
    permissions.require_decide(actor, order)
    reason = require_text(reason, field="reason", max_length=TEXT_MAX, label=_("Reason"))
    order.status_note = reason
    order.answer_due = _answer_due(answer_due)
    _move(order, "send_back", actor=actor, reason=reason)
    remind_answerers([order], reason=Reason.ORDER_SENT_BACK, period=instant_period(timezone.now()))
    return order


@transaction.atomic
def order_close(*, order: SupervisionOrder, actor, note: str = "") -> SupervisionOrder:
    """The supervisor accepts the answer, or closes an unanswered order with a reason."""
    order = _locked(order)
    check_transition(ORDER_TRANSITIONS, "close", order, OrderStatus.choices)
    permissions.require_decide(actor, order)
    note = optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note"))
    if order.status == OrderStatus.ISSUED and not note:
        raise ValidationError({"note": _("Say why the order is closed without an answer.")})
    order.status_note = note
    order.closed_at = timezone.now()
    _move(order, "close", actor=actor, reason=note)
    return order
