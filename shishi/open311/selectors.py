"""What the Open311 API reads, as QuerySets and the rows it prints. Nothing
here reads a submitter's name, phone, e-mail or account: the API cannot show
what it is never given. An appeal's text is private too (as on the public
tracking page): a request's `description` is the appeal's title."""

import datetime as dt

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.intake.models import Appeal, AppealStatus
from shishi.ledger.models import ItemStatus
from shishi.service_levels.deadlines import appeal_deadlines
from shishi.workorders.models import LIVE_STATUSES, OrderStatus, WorkOrder

from .models import QueuedRequest, ServiceAttribute, ServiceRequest
from .render import w3c

OPEN_STATUSES = (
    AppealStatus.RECEIVED,
    AppealStatus.TRIAGED,
    AppealStatus.ACCEPTED,
    AppealStatus.DISPATCHED,
)
CLOSED_STATUSES = (AppealStatus.ANSWERED, AppealStatus.REJECTED, AppealStatus.CLOSED)

# ---------------------------------------------------------------- services


def service_categories() -> QuerySet[Category]:
    """The categories that take appeals (the active ones), with their group."""
    return Category.objects.active().select_related("parent").order_by("sort_order", "name")


def service_row(category: Category, has_attributes: bool) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": category.description,
        "metadata": has_attributes,
        "type": "realtime",
        "keywords": ", ".join(
            [category.name, *([category.parent.name] if category.parent_id else [])]
        ),
        "group": category.parent.name if category.parent_id else "",
    }


def services_rows() -> list[dict]:
    with_attributes = set(
        ServiceAttribute.objects.filter(is_active=True).values_list("category_id", flat=True)
    )
    return [service_row(c, c.pk in with_attributes) for c in service_categories()]


def service_definition(category: Category) -> dict:
    attributes = (
        ServiceAttribute.objects.filter(category=category, is_active=True)
        .prefetch_related("values")
        .order_by("order", "code")
    )
    return {
        "service_code": category.code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v.key, "name": v.name} for v in a.values.all()],
            }
            for a in attributes
        ],
    }


# ---------------------------------------------------------------- requests


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def status_notes(
    status: str,
    note: str,
    item: dict | None = None,
    *,
    with_item_status: bool = True,
    order: dict | None = None,
) -> str:
    """What a status means for the resident, in a sentence (in the active
    language). `item`: the ledger item's number, title and status."""
    if status == AppealStatus.RECEIVED:
        return _("Received; waiting to be classified.")
    if status == AppealStatus.TRIAGED:
        return _("Classified; deciding whether it becomes a ledger item or gets an answer.")
    if status == AppealStatus.ACCEPTED and item is not None:
        text = _("Accepted into ledger item %(number)s “%(title)s”.") % {
            "number": item["number"],
            "title": item["title"],
        }
        if with_item_status and item.get("status"):
            label = ItemStatus(item["status"]).label
            text += " " + _("The item is %(status)s.") % {"status": label}
        return text
    if status == AppealStatus.ACCEPTED:
        return _("Accepted into a ledger item.")
    if status == AppealStatus.DISPATCHED:
        # A work order (shishi.workorders) carries it: say with whom, and where.
        if order is not None and order.get("unit"):
            text = _("Dispatched to %(unit)s.") % {"unit": order["unit"]}
            if order.get("status"):
                text += " " + _("The work order is %(status)s.") % {
                    "status": OrderStatus(order["status"]).label
                }
            return text
        return _("Dispatched to the unit that handles it.")
    if status == AppealStatus.ANSWERED:
        return _("Answered: %(answer)s") % {"answer": note}
    if status == AppealStatus.REJECTED:
        return _("Not accepted: %(reason)s") % {"reason": note}
    if item is not None:
        return _("Closed: ledger item %(number)s was settled.") % {"number": item["number"]}
    return _("Closed: %(note)s") % {"note": note} if note else _("Closed.")


def service_notice(status: str, respond_due: dt.datetime | None) -> str:
    if status in OPEN_STATUSES and respond_due is not None:
        return _("An answer is due by %(date)s.") % {"date": w3c(respond_due)[:10]}
    return ""


def queued_notice(queued: QueuedRequest) -> str:
    """The notice of a request accepted in queued mode: the deadline its appeal
    will have (counted from when it was sent, as the drain counts it)."""
    due = appeal_deadlines(received_at=queued.received_at, category_id=queued.category_id)
    return service_notice(AppealStatus.RECEIVED, due.respond_due)


def token_row(token: str) -> dict | None:
    """What tokens/{token} answers: the service_request_id once the request is
    filed; None (null) while it waits in the queue; `error` if the drain
    could not file it. None for an unknown token."""
    number = (
        ServiceRequest.objects.filter(token=token)
        .values_list("appeal__tracking_number", flat=True)
        .first()
    )
    if number is not None:
        return {"service_request_id": number, "token": token}
    error = QueuedRequest.objects.filter(token=token).values_list("error", flat=True).first()
    if error is None:
        return None
    return {"service_request_id": None, "token": token, **({"error": error} if error else {})}


# What a request row shows, read as plain values (no model instances: a page
# of 50 rows is built several times faster).
REQUEST_FIELDS = (
    "tracking_number",
    "title",
    "status",
    "status_note",
    "address",
    "lat",
    "lng",
    "received_at",
    "updated_at",
    "respond_due",
    "category__code",
    "category__name",
    "item_id",
    "item__number",
    "item__title",
    "item__status",
    "item__deadline",
    "item__lead_unit__name",
    "open311__address_id",
    "open311__media_url",
)


def requests_queryset() -> QuerySet:
    """Appeals as request rows' values, in one query: with the unit and state
    of the work order that carries the appeal (its live one), if any."""
    live = WorkOrder.objects.filter(appeal=OuterRef("pk"), status__in=LIVE_STATUSES)
    return Appeal.objects.annotate(
        order_unit=Subquery(live.values("unit__name")[:1]),
        order_status=Subquery(live.values("status")[:1]),
    ).values(*REQUEST_FIELDS, "order_unit", "order_status")


def request_rows(appeals) -> list[dict]:
    """The request rows of `appeals` (values of REQUEST_FIELDS). The time zone
    is looked up once and equal status notes are written once per page."""
    tz = timezone.get_current_timezone()
    notes: dict[tuple, str] = {}
    notices: dict[tuple, str] = {}
    rows = []
    for appeal in appeals:
        item = None
        if appeal["item_id"] is not None:
            item = {
                "number": appeal["item__number"],
                "title": appeal["item__title"],
                "status": appeal["item__status"],
            }
        status, note = appeal["status"], appeal["status_note"]
        order = {"unit": appeal["order_unit"], "status": appeal["order_status"]}
        memo = (status, note, appeal["item_id"], appeal["item__status"], *order.values())
        if memo not in notes:
            notes[memo] = status_notes(status, note, item, order=order)
        expected = appeal["respond_due"] or appeal["item__deadline"]
        # The notice depends only on whether it is open and the day it is due by.
        due = appeal["respond_due"]
        notice = (status in OPEN_STATUSES, w3c(due, tz)[:10] if due is not None else "")
        if notice not in notices:
            notices[notice] = service_notice(status, due)
        rows.append(
            {
                "service_request_id": appeal["tracking_number"],
                "status": open_or_closed(status),
                "status_notes": notes[memo],
                "service_name": appeal["category__name"] or "",
                "service_code": appeal["category__code"] or "",
                "description": appeal["title"],
                # The unit handling it: its item's lead unit, or its work order's.
                "agency_responsible": appeal["item__lead_unit__name"] or appeal["order_unit"] or "",
                "service_notice": notices[notice],
                "requested_datetime": w3c(appeal["received_at"], tz),
                "updated_datetime": w3c(appeal["updated_at"], tz),
                "expected_datetime": w3c(expected, tz),
                "address": appeal["address"],
                "address_id": appeal["open311__address_id"] or "",
                "zipcode": "",
                "lat": appeal["lat"],
                "long": appeal["lng"],
                "media_url": appeal["open311__media_url"] or "",
            }
        )
    return rows


def requests_filtered(
    *,
    numbers: list[str] | None = None,
    codes: list[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    statuses: list[str] | None = None,
) -> QuerySet:
    appeals = requests_queryset()
    if numbers:
        # The ids override every other filter (the spec says so).
        return appeals.filter(tracking_number__in=numbers).order_by("-received_at", "-id")
    if codes:
        appeals = appeals.filter(category__code__in=codes)
    if start is not None:
        appeals = appeals.filter(received_at__gte=start)
    if end is not None:
        appeals = appeals.filter(received_at__lte=end)
    if statuses and set(statuses) != {"open", "closed"}:
        wanted = OPEN_STATUSES if statuses == ["open"] else CLOSED_STATUSES
        appeals = appeals.filter(status__in=wanted)
    return appeals.order_by("-received_at", "-id")


# ---------------------------------------------------------------- updates


def updates_queryset(start: dt.datetime, end: dt.datetime):
    """Status changes and new notes of appeals between start and end, from the
    appeals' history: each historical row whose status or note differs from
    the row before it."""
    History = Appeal.history.model
    before = History.objects.filter(
        id=OuterRef("id"), history_date__lt=OuterRef("history_date")
    ).order_by("-history_date", "-history_id")
    return (
        History.objects.filter(history_date__gte=start, history_date__lte=end, history_type="~")
        .annotate(
            previous_status=Subquery(before.values("status")[:1]),
            previous_note=Subquery(before.values("status_note")[:1]),
        )
        .filter(
            Q(previous_status__isnull=True)
            | ~Q(previous_status=F("status"))
            | ~Q(previous_note=F("status_note"))
        )
        .select_related("item")
        .only(
            "history_id",
            "history_date",
            "id",
            "tracking_number",
            "status",
            "status_note",
            "item__number",
            "item__title",
        )
        .order_by("history_date", "history_id")
    )


def update_row(row) -> dict:
    item = {"number": row.item.number, "title": row.item.title} if row.item_id else None
    return {
        "update_id": str(row.history_id),
        "service_request_id": row.tracking_number,
        "status": open_or_closed(row.status),
        "updated_datetime": w3c(row.history_date),
        "description": status_notes(row.status, row.status_note, item, with_item_status=False),
        "media_url": "",
        "external_status_code": row.status,
    }
