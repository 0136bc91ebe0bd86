"""Filing an appeal through Open311: the attributes are checked against the
category's service definition, then the appeal is recorded by the intake
service the web uses, with the Open311 details, in one transaction. In queued
mode (SHISHI_OPEN311_QUEUE) a POST is checked and kept as one row, and the
drain task files the queue in batches through intake's bulk path."""

import re
import secrets
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from shishi.apikeys.models import ApiKey
from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text
from shishi.intake.bulk import AppealCleaner, CleanBatch, RowError, appeals_bulk_store
from shishi.intake.models import TITLE_MAX, Appeal, Channel
from shishi.intake.services import appeal_fields_clean, appeal_submit

from .models import (
    VALUE_MAX,
    AttributeAnswer,
    Datatype,
    QueuedRequest,
    ServiceAttribute,
    ServiceRequest,
)

# The spec's limit for a request's description.
DESCRIPTION_MAX = 4000
_CJK = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff]")
_SPACES = re.compile(r"\s+")

# Intake's field names → the Open311 parameters a client sent.
PARAMETER_OF_FIELD = {
    "title": "description",
    "body": "description",
    "lat": "lat",
    "lng": "long",
    "submitter_email": "email",
    "submitter_phone": "phone",
    "submitter_name": "first_name",
    "address": "address_string",
    "category": "service_code",
}


@dataclass
class RequestInput:
    """A POST requests.{fmt}, as parameters; checked by `request_submit`."""

    category: Category
    lat: str = ""
    long: str = ""
    address_string: str = ""
    address_id: str = ""
    description: str = ""
    email: str = ""
    device_id: str = ""
    account_id: str = ""
    first_name: str = ""
    last_name: str = ""
    phone: str = ""
    media_url: str = ""
    # attribute code → the values given (one, or several for a multi-value list)
    attributes: dict[str, list[str]] = field(default_factory=dict)
    # The category's service definition if the caller has it (service_for_request);
    # None: read it.
    definition: dict | None = None


def _title(description: str, category: Category) -> str:
    # Open311 has no title: the first words of the description, or the service.
    text = _SPACES.sub(" ", description).strip()
    if not text:
        return category.name
    return text if len(text) <= TITLE_MAX else text[: TITLE_MAX - 1] + "…"


def _full_name(first: str, last: str) -> str:
    # 张 + 三 → 张三 (family name first, no space); Jane + Doe → Jane Doe.
    if _CJK.search(first + last):
        return f"{last}{first}"
    return " ".join(part for part in (first, last) if part)


@dataclass
class _Attribute:
    pk: int
    code: str
    variable: bool
    datatype: str
    required: bool
    description: str
    keys: set[str] = field(default_factory=set)


# service_code → (when read, the category, its attributes), reused by this
# process for SHISHI_OPEN311_CACHE_SECONDS: every POST needs them.
_services: dict[str, tuple[float, Category | None, dict[str, _Attribute]]] = {}


def service_for_request(code: str) -> tuple[Category | None, dict[str, _Attribute]]:
    """The active category whose code is `code` (None if there is none) and
    its service definition."""
    seconds = settings.SHISHI_OPEN311_CACHE_SECONDS
    now = time.monotonic()
    hit = _services.get(code)
    if hit is not None and now - hit[0] < seconds:
        return hit[1], hit[2]
    category = Category.objects.active().filter(code=code).first()
    attributes = _definition(category) if category is not None else {}
    if seconds > 0:
        if len(_services) > 10_000:  # unknown codes are cached too: keep it bounded
            _services.clear()
        _services[code] = (now, category, attributes)
    return category, attributes


def _definition(category: Category) -> dict[str, _Attribute]:
    """The category's active attributes with their list keys, in one query."""
    attributes: dict[str, _Attribute] = {}
    rows = (
        ServiceAttribute.objects.filter(category=category, is_active=True)
        .order_by("order", "code")
        .values_list("pk", "code", "variable", "datatype", "required", "description", "values__key")
    )
    for *fields, key in rows:
        attribute = attributes.get(fields[1]) or attributes.setdefault(
            fields[1], _Attribute(*fields)
        )
        if key is not None:
            attribute.keys.add(key)
    return attributes


def _check_value(attribute: _Attribute, value: str) -> None:
    param = f"attribute[{attribute.code}]"
    if len(value) > VALUE_MAX:
        raise ValidationError(
            {
                param: _("%(param)s is longer than %(max)d characters.")
                % {"param": param, "max": VALUE_MAX}
            }
        )
    if attribute.datatype == Datatype.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite():
            raise ValidationError({param: _("%(param)s must be a number.") % {"param": param}})
    elif attribute.datatype == Datatype.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError(
                {param: _("%(param)s must be a date and time (W3C format).") % {"param": param}}
            )
    elif attribute.datatype == Datatype.STRING and ("\n" in value or "\r" in value):
        raise ValidationError({param: _("%(param)s must be one line.") % {"param": param}})
    elif attribute.datatype in (Datatype.SINGLEVALUELIST, Datatype.MULTIVALUELIST):
        if value not in attribute.keys:
            raise ValidationError(
                {
                    param: _("“%(value)s” is not one of the keys of %(param)s.")
                    % {"value": value, "param": param}
                }
            )


def attributes_clean(
    category: Category, given: dict[str, list[str]], attributes: dict[str, _Attribute]
) -> list[tuple[int, str]]:
    """Check the attribute values against the category's service definition
    (`attributes`); returns (attribute id, value) pairs to store."""
    unknown = sorted(set(given) - {code for code, a in attributes.items() if a.variable})
    if unknown:
        raise ValidationError(
            {
                f"attribute[{unknown[0]}]": _(
                    "The service “%(service)s” has no attribute “%(code)s”."
                )
                % {"service": category.code, "code": unknown[0]}
            }
        )
    pairs = []
    for code, attribute in attributes.items():
        if not attribute.variable:
            continue
        values = [v.strip() for v in given.get(code, []) if v.strip()]
        param = f"attribute[{code}]"
        if not values:
            if attribute.required:
                raise ValidationError(
                    {
                        param: _("%(param)s is required: %(question)s")
                        % {"param": param, "question": attribute.description}
                    }
                )
            continue
        if len(values) > 1 and attribute.datatype != Datatype.MULTIVALUELIST:
            raise ValidationError({param: _("%(param)s takes one value.") % {"param": param}})
        for value in values:
            _check_value(attribute, value)
            pairs.append((attribute.pk, value))
    return pairs


def _short(value: str, param: str, max_length: int) -> str:
    return optional_text(value, field=param, max_length=max_length, label=param)


@dataclass(frozen=True)
class CheckedRequest:
    """A POST that passed the Open311 rules (not yet intake's own)."""

    category: Category
    title: str
    description: str
    submitter_name: str
    phone: str
    email: str
    address: str
    lat: str
    long: str
    address_id: str
    media_url: str
    device_id: str
    account_id: str
    # (attribute id, value) pairs to store
    answers: list[tuple[int, str]]


def request_check(data: RequestInput) -> CheckedRequest:
    """The Open311 rules for a POST: location, description, media_url, the
    client's ids and the attributes against the service definition. Refusals
    are ValidationErrors keyed by the Open311 parameter."""
    category = data.category
    description = optional_text(
        data.description, field="description", max_length=DESCRIPTION_MAX, label="description"
    )
    lat, lng = data.lat.strip(), data.long.strip()
    address = data.address_string.strip()
    address_id = _short(data.address_id, "address_id", 100)
    if not (lat or lng) and not address and not address_id:
        raise ValidationError(
            {"lat": _("Give the location: lat and long, address_string or address_id.")}
        )
    if bool(lat) != bool(lng):
        raise ValidationError({"lat": _("Give both lat and long, or neither.")})
    media_url = _short(data.media_url, "media_url", 1000)
    if media_url:
        try:
            URLValidator(schemes=["http", "https"])(media_url)
        except ValidationError:
            raise ValidationError({"media_url": _("media_url is not an http(s) URL.")}) from None
    definition = data.definition if data.definition is not None else _definition(category)
    return CheckedRequest(
        category=category,
        title=_title(description, category),
        description=description,
        submitter_name=_full_name(data.first_name.strip(), data.last_name.strip()),
        phone=data.phone,
        email=data.email,
        address=address,
        lat=lat,
        long=lng,
        address_id=address_id,
        media_url=media_url,
        device_id=_short(data.device_id, "device_id", 100),
        account_id=_short(data.account_id, "account_id", 100),
        answers=attributes_clean(category, data.attributes, definition),
    )


def _intake_fields(checked: CheckedRequest) -> dict:
    """The keyword arguments of `appeal_submit` (and of a bulk record)."""
    return {
        "title": checked.title,
        "body": checked.description,
        "channel": Channel.API,
        "category": checked.category,
        "submitter_name": checked.submitter_name,
        "submitter_phone": checked.phone,
        "submitter_email": checked.email,
        "address": checked.address,
        "lat": checked.lat or None,
        "lng": checked.long or None,
    }


def _as_parameters(error: ValidationError) -> ValidationError:
    """An intake refusal, keyed by the Open311 parameter instead of the field."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {PARAMETER_OF_FIELD.get(name, name): msgs for name, msgs in error.error_dict.items()}
    )


@transaction.atomic
def request_submit(*, api_key: ApiKey, data: RequestInput) -> ServiceRequest:
    """File an appeal (channel API) from an Open311 POST. Refusals are
    ValidationErrors keyed by the Open311 parameter; nothing is stored then."""
    checked = request_check(data)
    try:
        appeal = appeal_submit(**_intake_fields(checked))
    except ValidationError as error:
        raise _as_parameters(error) from None
    request = ServiceRequest.objects.create(
        appeal=appeal,
        api_key=api_key,
        token=secrets.token_urlsafe(18),
        address_id=checked.address_id,
        media_url=checked.media_url,
        device_id=checked.device_id,
        account_id=checked.account_id,
    )
    AttributeAnswer.objects.bulk_create(
        AttributeAnswer(appeal=appeal, attribute_id=attribute_id, value=value)
        for attribute_id, value in checked.answers
    )
    return request


# ---------------------------------------------------------------- queued mode

# The payload keys that go to the appeal; the rest go to its ServiceRequest.
_APPEAL_KEYS = (
    "title",
    "body",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
    "address",
    "lat",
    "lng",
)
_REQUEST_KEYS = ("address_id", "media_url", "device_id", "account_id")
# Queued requests filed per transaction of the drain.
DRAIN_BATCH = 500


def request_enqueue(*, api_key: ApiKey, data: RequestInput) -> QueuedRequest:
    """Accept an Open311 POST for the drain task to file (queued mode): every
    rule that needs no database is applied now, with the same refusals as
    `request_submit`; the request is then one row, committed before this
    returns. `requests_drain` files it through intake's bulk path."""
    checked = request_check(data)
    now = timezone.now()
    try:
        # The intake rules without the database: the drain applies them again.
        fields = appeal_fields_clean(**_intake_fields(checked), received_at=now, now=now)
    except ValidationError as error:
        raise _as_parameters(error) from None
    payload = {name: fields[name] for name in _APPEAL_KEYS}
    for name in ("lat", "lng"):
        if payload[name] is not None:
            payload[name] = str(payload[name])
    payload.update((name, getattr(checked, name)) for name in _REQUEST_KEYS)
    payload["answers"] = checked.answers
    return QueuedRequest.objects.create(
        token=secrets.token_urlsafe(18),
        api_key_id=api_key.pk,
        category_id=checked.category.pk,
        received_at=now,
        payload=payload,
    )


def requests_drain(*, batch_size: int = DRAIN_BATCH) -> dict:
    """File the queued requests as appeals, oldest first, a batch per
    transaction, until none is left. Each batch is taken with row locks that
    other drains skip, filed and removed from the queue in one transaction:
    two drains at once never file a request twice, and a drain that fails
    leaves its batch queued. A request that intake now refuses (its category
    went out of use meanwhile) keeps its row, with the reason."""
    stored = refused = 0
    while True:
        batch_stored, batch_refused, taken = _drain_batch(batch_size)
        stored += batch_stored
        refused += batch_refused
        if taken < batch_size:
            return {"stored": stored, "refused": refused}


@transaction.atomic
def _drain_batch(limit: int) -> tuple[int, int, int]:
    queued = list(
        QueuedRequest.objects.filter(error="")
        .select_for_update(skip_locked=True)
        .order_by("pk")[:limit]
    )
    if not queued:
        return 0, 0, 0
    categories = Category.objects.in_bulk({q.category_id for q in queued})
    answered = {pk for q in queued for pk, _value in q.payload["answers"]}
    attributes = set(ServiceAttribute.objects.filter(pk__in=answered).values_list("pk", flat=True))
    cleaner = AppealCleaner()
    prefixes, rows, filed, failed = [], [], [], []
    for q in queued:
        if any(pk not in attributes for pk, _value in q.payload["answers"]):
            # Deleted in the admin since the request was accepted.
            q.error = _("An attribute this request answered no longer exists.")
            failed.append(q)
            continue
        record = {name: q.payload[name] for name in _APPEAL_KEYS}
        record.update(
            channel=Channel.API, category=categories[q.category_id], received_at=q.received_at
        )
        try:
            clean = cleaner.batch([record])
        except RowError as error:
            q.error = f"{PARAMETER_OF_FIELD.get(error.field, error.field)}: {error.reason}"
            failed.append(q)
            continue
        prefixes += clean.prefixes
        rows += clean.rows
        filed.append(q)
    if filed:
        appeals_bulk_store([CleanBatch(1, prefixes, rows)], cleaner=cleaner, reason="received")
        # The store drew each row's tracking number into its first column.
        numbers = [row[0] for row in rows]
        appeal_ids = dict(
            Appeal.objects.filter(tracking_number__in=numbers).values_list("tracking_number", "pk")
        )
        ServiceRequest.objects.bulk_create(
            ServiceRequest(
                appeal_id=appeal_ids[number],
                api_key_id=q.api_key_id,
                token=q.token,
                **{name: q.payload[name] for name in _REQUEST_KEYS},
            )
            for number, q in zip(numbers, filed, strict=True)
        )
        AttributeAnswer.objects.bulk_create(
            AttributeAnswer(appeal_id=appeal_ids[number], attribute_id=attribute_id, value=value)
            for number, q in zip(numbers, filed, strict=True)
            for attribute_id, value in q.payload["answers"]
        )
        QueuedRequest.objects.filter(pk__in=[q.pk for q in filed]).delete()
    if failed:
        QueuedRequest.objects.bulk_update(failed, ["error"])
    return len(filed), len(failed), len(queued)
