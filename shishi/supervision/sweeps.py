"""The sweeps: set-based queries that find what is due or overdue and write
reminders and supervision orders. Each can run any number of times: what it
writes has a unique key (reminders) or a one-open-order-per-item constraint
(orders), so a second run, or a run retried after a worker died, writes
nothing twice. Plain functions; shishi.jobs runs them on a schedule.

Who is reminded of what:

- appeals to acknowledge (acknowledge_due within SHISHI_APPEAL_DUE_SOON_HOURS
  or past): every clerk, one digest per SHISHI_APPEAL_DIGEST_HOURS window;
- appeals to answer (respond_due likewise): clerks for appeals still in intake,
  the handlers of the lead unit for appeals accepted into an item;
- items under way whose deadline is within SHISHI_ITEM_DUE_SOON_DAYS: the
  owner and the lead unit's handlers, once per deadline (a moved deadline
  reminds again); past the deadline: the same people, once a week;
- items under way without this week's report, from SHISHI_REPORT_REMINDER_WEEKDAY
  on: the owner, once a week;
- items under way overdue by SHISHI_ESCALATE_AFTER_DAYS: a supervision order,
  one open order per item. A closed order is followed by a new one only if the
  item is still overdue SHISHI_REESCALATE_AFTER_DAYS after it was closed;
- issued orders past their answer date: the unit's handlers and the owner,
  once a week.
"""

import datetime as dt
import logging
import uuid
from collections import defaultdict
from urllib.parse import quote

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import LedgerItem, iso_week_label, week_start
from shishi.reminders.models import Reason
from shishi.reminders.services import ReminderSpec, reminders_create, unit_members_with, users_with

from .models import OPEN_STATUSES, SupervisionOrder
from .services import (
    answerer_specs,
    assign_supervisors,
    local_text,
    remind_answerers,
    supervisor_queue,
)

log = logging.getLogger(__name__)

CLERK_PERM = "intake.triage_appeal"
HANDLER_PERM = "ledger.report_progress"
ESCALATION_BATCH = 5000
# Stands for an item's number in a URL resolved once for a whole sweep.
PLACEHOLDER = "NUMBER0PLACEHOLDER"

ACK_PENDING = [AppealStatus.RECEIVED, AppealStatus.TRIAGED]
RESPOND_PENDING = [
    AppealStatus.RECEIVED,
    AppealStatus.TRIAGED,
    AppealStatus.ACCEPTED,
    AppealStatus.DISPATCHED,
]


def digest_period(now: dt.datetime) -> str:
    """The digest window `now` falls in, e.g. 2026-11-29T08 for 08:00–11:59."""
    local = timezone.localtime(now)
    hours = max(1, settings.SHISHI_APPEAL_DIGEST_HOURS)
    return f"{local:%Y-%m-%d}T{local.hour // hours * hours:02d}"


def week_period(now: dt.datetime) -> str:
    return iso_week_label(week_start(timezone.localdate(now)))


def _counts(queryset, due_field: str, now: dt.datetime) -> dict:
    return queryset.aggregate(
        overdue=Count("pk", filter=Q(**{f"{due_field}__lt": now})), total=Count("pk")
    )


def sweep_appeal_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Digests of the appeals to acknowledge and to answer, per recipient."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(hours=settings.SHISHI_APPEAL_DUE_SOON_HOURS)
    period = digest_period(now)
    link = reverse("triage:queue")
    handler_link = reverse("dispatch:my_items")
    specs: list[ReminderSpec] = []
    clerks = users_with(CLERK_PERM)

    # The same predicates as the partial indexes appeal_ack_pending and
    # appeal_respond_pending, so only what is still due is read.
    ack = _counts(
        Appeal.objects.filter(
            acknowledged_at__isnull=True, status__in=ACK_PENDING, acknowledge_due__lt=horizon
        ),
        "acknowledge_due",
        now,
    )
    if ack["total"]:
        params = {"overdue": ack["overdue"], "due_soon": ack["total"] - ack["overdue"]}
        specs += [ReminderSpec(u, Reason.APPEALS_ACK_DUE, "", period, params, link) for u in clerks]

    per_unit = (
        Appeal.objects.filter(
            responded_at__isnull=True, status__in=RESPOND_PENDING, respond_due__lt=horizon
        )
        .values("item__lead_unit")
        .annotate(overdue=Count("pk", filter=Q(respond_due__lt=now)), total=Count("pk"))
        .order_by()
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    clerk_set = set(clerks)
    rows = list(per_unit)
    handlers = unit_members_with(
        HANDLER_PERM, [r["item__lead_unit"] for r in rows if r["item__lead_unit"]]
    )
    for row in rows:
        # Appeals still in intake (or in an item nobody has claimed) are the clerks'.
        unit = row["item__lead_unit"]
        people = handlers.get(unit, []) if unit else clerks
        for user_id in people:
            totals[user_id][0] += row["overdue"]
            totals[user_id][1] += row["total"] - row["overdue"]
    specs += [
        ReminderSpec(
            user_id,
            Reason.APPEALS_RESPOND_DUE,
            "",
            period,
            {"overdue": overdue, "due_soon": due_soon},
            # Clerks work in the intake queue; handlers on their items.
            link if user_id in clerk_set else handler_link,
        )
        for user_id, (overdue, due_soon) in sorted(totals.items())
    ]
    return {
        "appeals_to_acknowledge": ack["total"],
        "appeals_to_answer": sum(r["total"] for r in rows),
        "reminders": reminders_create(specs=specs, now=now),
    }


def _item_params(number: str, title: str, deadline: dt.datetime) -> dict:
    return {"number": number, "title": title, "deadline": local_text(deadline)}


def sweep_item_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Items under way whose deadline is near or past: their owner and handlers."""
    now = now or timezone.now()
    horizon = now + dt.timedelta(days=settings.SHISHI_ITEM_DUE_SOON_DAYS)
    week = week_period(now)
    items = LedgerItem.objects.active().filter(deadline__lt=horizon)
    rows = list(items.values_list("pk", "number", "title", "deadline", "owner_id", "lead_unit_id"))
    handlers = unit_members_with(HANDLER_PERM, {row[5] for row in rows})
    item_link = reverse("dispatch:item", args=[PLACEHOLDER])  # one resolution, not one per item
    specs = []
    counts = {"items_due_soon": 0, "items_overdue": 0}
    for pk, number, title, deadline, owner_id, unit_id in rows:
        if deadline < now:
            reason, period = Reason.ITEM_OVERDUE, week
            counts["items_overdue"] += 1
        else:
            # Keyed by the deadline: a deadline moved later reminds again.
            reason, period = Reason.ITEM_DUE_SOON, local_text(deadline)
            counts["items_due_soon"] += 1
        params = _item_params(number, title, deadline)
        link = item_link.replace(PLACEHOLDER, quote(number))
        for user_id in {owner_id, *handlers.get(unit_id, [])}:
            specs.append(ReminderSpec(user_id, reason, f"item:{pk}", period, params, link))
    return {**counts, "reminders": reminders_create(specs=specs, now=now)}


def sweep_missing_reports(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Items under way without this week's report: their owner, once a week."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    if today.weekday() < settings.SHISHI_REPORT_REMINDER_WEEKDAY:
        return {"items_without_report": 0, "reminders": 0}
    monday = week_start(today)
    week = iso_week_label(monday)
    rows = list(
        LedgerItem.objects.missing_report(monday).values_list("pk", "number", "title", "owner_id")
    )
    report_link = reverse("dispatch:report", args=[PLACEHOLDER])
    specs = [
        ReminderSpec(
            owner_id,
            Reason.REPORT_MISSING,
            f"item:{pk}",
            week,
            {"number": number, "title": title, "week": week},
            report_link.replace(PLACEHOLDER, quote(number)),
        )
        for pk, number, title, owner_id in rows
    ]
    return {"items_without_report": len(rows), "reminders": reminders_create(specs=specs, now=now)}


def escalation_candidates(now: dt.datetime):
    """Items under way, overdue by the grace period, with no open order and no
    order closed within the re-escalation pause."""
    cutoff = now - dt.timedelta(days=settings.SHISHI_ESCALATE_AFTER_DAYS)
    pause = now - dt.timedelta(days=settings.SHISHI_REESCALATE_AFTER_DAYS)
    blocking = SupervisionOrder.objects.filter(item=OuterRef("pk")).filter(
        Q(status__in=OPEN_STATUSES) | Q(closed_at__gt=pause)
    )
    return LedgerItem.objects.active().filter(deadline__lt=cutoff).filter(~Exists(blocking))


def _history_issued(run: uuid.UUID, now: dt.datetime) -> None:
    """The orders' first history record, written in the database from the rows
    themselves (what simple-history's bulk_history_create would write, without
    building thousands of objects)."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in SupervisionOrder._meta.concrete_fields)
    history = SupervisionOrder.history.model._meta.db_table
    run_value = SupervisionOrder._meta.get_field("sweep_run").get_db_prep_value(run, connection)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {qn(history)} ({columns}, history_date, history_change_reason, "  # noqa: S608  (our own tables)
            f"history_type, history_user_id) SELECT {columns}, %s, %s, '+', NULL "
            f"FROM {qn(SupervisionOrder._meta.db_table)} WHERE sweep_run = %s",
            [connection.ops.adapt_datetimefield_value(now), "issued: overdue", run_value],
        )


def sweep_escalate_overdue(*, now: dt.datetime | None = None) -> dict[str, int]:
    """督办: an order for every overdue item that needs one, assigned to the
    least-loaded supervisor, in batches that each commit on their own (the
    orders, their history and the reminders to answer them together)."""
    now = now or timezone.now()
    rows = list(
        escalation_candidates(now)
        .order_by("deadline", "pk")
        .values_list("pk", "lead_unit_id", "deadline")
    )
    if not rows:
        return {"orders_issued": 0, "reminders": 0}
    queue = supervisor_queue()
    if not queue:
        log.warning(
            "%d overdue items need a supervision order, but no supervisor exists", len(rows)
        )
        return {"orders_issued": 0, "reminders": 0, "items_without_supervisor": len(rows)}
    supervisors = assign_supervisors(len(rows), queue)
    answer_due = now + dt.timedelta(days=settings.SHISHI_ORDER_ANSWER_DAYS)
    issued = reminded = 0
    with translation.override(settings.LANGUAGE_CODE):
        template = _(
            "The item is overdue since %(deadline)s. Say why, what is being done and by when it will be finished."
        )
        for start in range(0, len(rows), ESCALATION_BATCH):
            batch = rows[start : start + ESCALATION_BATCH]
            run = uuid.uuid4()
            with transaction.atomic():
                SupervisionOrder.objects.bulk_create(
                    [
                        SupervisionOrder(
                            item_id=pk,
                            unit_id=unit_id,
                            supervisor_id=supervisor,
                            reason=template % {"deadline": local_text(deadline)},
                            answer_due=answer_due,
                            issued_at=now,
                            sweep_run=run,
                        )
                        for (pk, unit_id, deadline), supervisor in zip(
                            batch, supervisors[start : start + ESCALATION_BATCH], strict=True
                        )
                    ],
                    # A concurrent sweep may have issued some: one open order per item.
                    ignore_conflicts=True,
                )
                # Exactly the orders this batch wrote (not those a concurrent sweep did).
                created = list(
                    SupervisionOrder.objects.filter(sweep_run=run).values_list(
                        "pk",
                        "unit_id",
                        "item__owner_id",
                        "item__number",
                        "item__title",
                        "answer_due",
                    )
                )
                _history_issued(run, now)
                issued += len(created)
                reminded += reminders_create(
                    specs=answerer_specs(
                        (
                            (pk, unit_id, owner_id, f"{number} {title}", due)
                            for pk, unit_id, owner_id, number, title, due in created
                        ),
                        reason=Reason.ORDER_ISSUED,
                    ),
                    now=now,
                )
    return {"orders_issued": issued, "reminders": reminded}


def sweep_order_deadlines(*, now: dt.datetime | None = None) -> dict[str, int]:
    """Issued orders past their answer date: remind who must answer, weekly."""
    now = now or timezone.now()
    orders = list(SupervisionOrder.objects.answer_overdue(now).select_related("item", "appeal"))
    reminded = remind_answerers(orders, reason=Reason.ORDER_ANSWER_OVERDUE, period=week_period(now))
    return {"orders_answer_overdue": len(orders), "reminders": reminded}


def sweep_all(*, now: dt.datetime | None = None) -> dict[str, dict[str, int]]:
    now = now or timezone.now()
    return {
        "appeals": sweep_appeal_deadlines(now=now),
        "items": sweep_item_deadlines(now=now),
        "reports": sweep_missing_reports(now=now),
        "escalation": sweep_escalate_overdue(now=now),
        "orders": sweep_order_deadlines(now=now),
    }
