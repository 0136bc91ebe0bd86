"""The Open311 GeoReport v2 endpoints. Each view is thin: `endpoint` parses
the parameters strictly (UTF-8, size), checks the key, the rate limit and the
jurisdiction, and turns every refusal into the spec's error document."""

import datetime as dt
import functools
import hashlib
import re
from urllib.parse import parse_qsl

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, ValidationError
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_cache_key, apikey_check, apikey_mark_used, key_hash
from shishi.categories.models import Category
from shishi.core.ratelimit import Count, rate_count
from shishi.intake.services import tracking_number_normalise

from . import selectors
from .render import FORMATS, document, errors
from .services import RequestInput, request_enqueue, request_submit, service_for_request

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
MAX_SPAN = dt.timedelta(days=90)
_ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")


class Open311Error(Exception):
    def __init__(self, status: int, *messages: str, headers: dict | None = None):
        super().__init__(*messages)
        self.status = status
        self.messages = list(messages)
        self.headers = headers or {}


class Params:
    """A request's parameters; an empty one is the same as an absent one."""

    def __init__(self, pairs: list[tuple[str, str]]):
        self.lists: dict[str, list[str]] = {}
        for name, value in pairs:
            self.lists.setdefault(name, []).append(value)

    def get(self, name: str) -> str:
        values = self.lists.get(name)
        return values[0].strip() if values else ""

    def csv(self, name: str) -> list[str]:
        return [part.strip() for part in self.get(name).split(",") if part.strip()]


def _pairs(raw: bytes) -> list[tuple[str, str]]:
    try:
        text = raw.decode("utf-8")
        return parse_qsl(
            text,
            keep_blank_values=True,
            encoding="utf-8",
            errors="strict",
            max_num_fields=settings.DATA_UPLOAD_MAX_NUMBER_FIELDS,
        )
    except UnicodeDecodeError:
        raise Open311Error(400, _("The request is not valid UTF-8.")) from None
    except ValueError:
        raise Open311Error(400, _("The request has too many parameters.")) from None


def _params(request) -> Params:
    # Django would replace malformed UTF-8 silently; the spec requires UTF-8,
    # so parse the raw query and body and refuse what does not decode.
    pairs = _pairs(request.environ.get("QUERY_STRING", "").encode("iso-8859-1"))
    if request.method == "POST":
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > settings.SHISHI_OPEN311_MAX_BODY_BYTES:
            raise _too_big()
        try:
            if request.content_type == "multipart/form-data":
                body = [(k, v) for k, vs in request.POST.lists() for v in vs]
                if any("\ufffd" in k + v for k, v in body):
                    raise Open311Error(400, _("The request is not valid UTF-8."))
                pairs += body
            else:
                pairs += _pairs(request.body)
        except RequestDataTooBig:
            raise _too_big() from None
        except TooManyFieldsSent:
            raise Open311Error(400, _("The request has too many parameters.")) from None
    # No text field can hold a NUL character (PostgreSQL refuses it in any
    # query): name the parameter rather than fail later.
    for name, value in pairs:
        if "\x00" in name or "\x00" in value:
            raise Open311Error(
                400,
                _("The parameter %(name)s holds a NUL character.")
                % {"name": name.replace("\x00", "\\0")},
            )
    return Params(pairs)


def _too_big() -> Open311Error:
    return Open311Error(
        413,
        _("The request is too large: at most %(max)d bytes.")
        % {"max": settings.SHISHI_OPEN311_MAX_BODY_BYTES},
    )


def _client_key(params: Params, *, required: bool, cached=None) -> ApiKey | None:
    """The client's key; `cached` holds cache entries read already."""
    raw = params.get("api_key")
    if not raw:
        if required:
            raise Open311Error(403, _("api_key was not provided."))
        return None
    cache_key = apikey_cache_key(raw)
    if cached is not None and cache_key is not None:
        key = apikey_check(raw, cached=cached.get(cache_key))
    else:
        key = apikey_check(raw)
    if key is None:
        raise Open311Error(403, _("api_key is not valid or has been revoked."))
    return key


def _bucket(request, raw_key: str, check_key: str | None) -> str:
    """Where the request is counted: its key's, known before the key is
    checked (by the key's hash: text that only shares a key's public prefix
    counts apart), else its address's."""
    if check_key is not None:
        return f"key:{key_hash(raw_key)[:32]}"
    return f"anon:{get_client_ip_address(request) or 'unknown'}"


def _throttle(count: Count, key: ApiKey | None) -> None:
    limit = key.rate_limit if key is not None else settings.SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE
    refusal = count.over(limit)
    if refusal is not None:
        raise Open311Error(
            429,
            _("Too many requests: try again in %(seconds)d seconds.")
            % {"seconds": refusal.retry_after},
            headers={"Retry-After": str(refusal.retry_after)},
        )


def _check_jurisdiction(params: Params) -> None:
    served = settings.SHISHI_OPEN311_JURISDICTIONS
    given = params.get("jurisdiction_id")
    if not given:
        if len(served) > 1:
            raise Open311Error(
                400,
                _("jurisdiction_id was not provided; this server serves: %(list)s.")
                % {"list": ", ".join(served)},
            )
        return
    if served and given not in served:
        raise Open311Error(404, _("jurisdiction_id “%(id)s” was not found.") % {"id": given})


def _cache_key(request, fmt: str, params: Params) -> str:
    # The key leaves out api_key and empty parameters (an empty parameter is
    # the same as an absent one); the language is in it (status_notes).
    query = sorted(
        (name, value)
        for name, values in params.lists.items()
        if name != "api_key"
        for value in values
        if value.strip()
    )
    text = f"{request.path_info}|{fmt}|{translation.get_language()}|{query!r}"
    return "shishi:open311:get:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def _shared(request, fmt: str, params: Params, cached: bool) -> str | None:
    """The cache key of this GET's shared answer; None when it has none."""
    if not cached or request.method not in ("GET", "HEAD"):
        return None
    if settings.SHISHI_OPEN311_CACHE_SECONDS <= 0:
        return None
    return _cache_key(request, fmt, params)


def _answer(request, fmt, params, key, view, kwargs, shared_key, found):
    """The view's answer; a GET list's is shared for SHISHI_OPEN311_CACHE_SECONDS."""
    if shared_key is None:
        return view(request, fmt, params, key, **kwargs)
    seconds = settings.SHISHI_OPEN311_CACHE_SECONDS
    hit = found.get(shared_key)
    if hit is not None:
        response = HttpResponse(hit[1], content_type=hit[0])
    else:
        response = view(request, fmt, params, key, **kwargs)
        if response.status_code == 200:
            cache.set(shared_key, (response["Content-Type"], response.content), timeout=seconds)
    response["Cache-Control"] = f"max-age={seconds}"
    return response


def endpoint(*, methods=("GET", "HEAD"), key_required_for=("POST",), cached=False):
    """Wrap an Open311 view: fmt check, parameters, key, limit, jurisdiction,
    errors; `cached`: the GET answer may be shared for a few seconds."""

    def wrap(view):
        @csrf_exempt
        @functools.wraps(view)
        def inner(request, fmt: str, **kwargs):
            if fmt not in FORMATS:
                return errors(
                    "xml", 404, [_("Unknown format “%(fmt)s”: use xml or json.") % {"fmt": fmt}]
                )
            if request.method not in methods:
                response = errors(
                    fmt,
                    405,
                    [_("Method %(method)s is not allowed here.") % {"method": request.method}],
                )
                response["Allow"] = ", ".join(methods)
                return response
            try:
                params = _params(request)
                # The count, a shared answer and the key's check: one round
                # trip to the cache.
                shared_key = _shared(request, fmt, params, cached)
                raw_key = params.get("api_key")
                check_key = apikey_cache_key(raw_key)
                wanted = [k for k in (shared_key, check_key) if k]
                count, found = rate_count(_bucket(request, raw_key, check_key), read=wanted)
                required = request.method in key_required_for
                key = _client_key(params, required=required, cached=found)
                _throttle(count, key)
                _check_jurisdiction(params)
                response = _answer(request, fmt, params, key, view, kwargs, shared_key, found)
            except Open311Error as error:
                return errors(fmt, error.status, error.messages, headers=error.headers)
            if key is not None:
                apikey_mark_used(key)
            return response

        return inner

    return wrap


# ---------------------------------------------------------------- parameters


def _datetime(params: Params, name: str) -> dt.datetime | None:
    value = params.get(name)
    if not value:
        return None
    try:
        parsed = parse_datetime(value)
        if parsed is None:
            day = parse_date(value)
            parsed = dt.datetime.combine(day, dt.time()) if day else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Open311Error(
            400,
            _("%(name)s “%(value)s” is not a W3C date-time (e.g. 2026-01-31T08:00:00+08:00).")
            % {"name": name, "value": value},
        )
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _window(params: Params) -> tuple[dt.datetime, dt.datetime]:
    """start_date and end_date: at most 90 days apart; the last 90 days by default."""
    start, end = _datetime(params, "start_date"), _datetime(params, "end_date")
    if start is None and end is None:
        end = timezone.now()
    try:
        if end is None:
            end = start + MAX_SPAN
        if start is None:
            start = end - MAX_SPAN
    except OverflowError:
        raise Open311Error(
            400, _("start_date and end_date must lie between the years 1 and 9999.")
        ) from None
    if start > end:
        raise Open311Error(400, _("start_date is after end_date."))
    if end - start > MAX_SPAN:
        raise Open311Error(400, _("start_date and end_date are more than 90 days apart."))
    return start, end


def _positive(params: Params, name: str, default: int, maximum: int) -> int:
    value = params.get(name)
    if not value:
        return default
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= maximum:
        raise Open311Error(
            400,
            _("%(name)s must be a whole number from 1 to %(max)d.")
            % {"name": name, "max": maximum},
        )
    return int(value)


def _page(params: Params) -> slice:
    size = _positive(
        params,
        "page_size",
        settings.SHISHI_OPEN311_PAGE_SIZE,
        settings.SHISHI_OPEN311_MAX_PAGE_SIZE,
    )
    page = _positive(params, "page", 1, 1_000_000)
    return slice((page - 1) * size, page * size)


def _service(code: str) -> Category:
    category = Category.objects.active().filter(code=code).first() if code else None
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code})
    return category


# ---------------------------------------------------------------- endpoints


@endpoint()
def discovery(request, fmt, params, key):
    changeset = settings.SHISHI_OPEN311_CHANGESET
    base = request.build_absolute_uri(reverse("open311:discovery", args=["xml"]))
    return document(
        fmt,
        {
            "changeset": changeset,
            "contact": settings.SHISHI_OPEN311_CONTACT,
            "key_service": settings.SHISHI_OPEN311_KEY_SERVICE,
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base.rsplit("/", 1)[0],
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        },
        root="discovery",
    )


@endpoint(cached=True)
def services(request, fmt, params, key):
    return document(fmt, selectors.services_rows(), root="services", item="service")


@endpoint(cached=True)
def service_definition(request, fmt, params, key, code):
    category = _service(code)
    return document(fmt, selectors.service_definition(category), root="service_definition")


@endpoint(methods=("GET", "HEAD", "POST"), cached=True)
def requests(request, fmt, params, key):
    if request.method == "POST":
        return _request_create(fmt, params, key)
    numbers = [tracking_number_normalise(n) for n in params.csv("service_request_id")]
    if len(numbers) > settings.SHISHI_OPEN311_MAX_PAGE_SIZE:
        raise Open311Error(
            400,
            _("Ask for at most %(max)d service_request_id values at once.")
            % {"max": settings.SHISHI_OPEN311_MAX_PAGE_SIZE},
        )
    statuses = params.csv("status")
    if any(s not in ("open", "closed") for s in statuses):
        raise Open311Error(400, _("status must be open or closed."))
    page = _page(params)
    if numbers:
        appeals = selectors.requests_filtered(numbers=numbers)
    else:
        start, end = _window(params)
        appeals = selectors.requests_filtered(
            codes=params.csv("service_code"), start=start, end=end, statuses=statuses
        )
    rows = selectors.request_rows(appeals[page])
    return document(fmt, rows, root="service_requests", item="request")


def _request_create(fmt, params: Params, key: ApiKey):
    code = params.get("service_code")
    if not code:
        raise Open311Error(400, _("service_code was not provided."))
    category, definition = service_for_request(code)
    if category is None:
        raise Open311Error(404, _("service_code “%(code)s” was not found.") % {"code": code})
    attributes: dict[str, list[str]] = {}
    for name, values in params.lists.items():
        match = _ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match[1], []).extend(values)
    data = RequestInput(
        category=category,
        attributes=attributes,
        definition=definition,
        **{
            name: params.get(name)
            for name in (
                "lat",
                "long",
                "address_string",
                "address_id",
                "email",
                "device_id",
                "account_id",
                "first_name",
                "last_name",
                "phone",
                "media_url",
            )
        },
        # The description keeps its own line breaks and spacing.
        description=(params.lists.get("description") or [""])[0],
    )
    queued = settings.SHISHI_OPEN311_QUEUE
    try:
        if queued:
            created = request_enqueue(api_key=key, data=data)
        else:
            created = request_submit(api_key=key, data=data)
    except ValidationError as error:
        messages = (
            [f"{name}: {' '.join(msgs)}" for name, msgs in error.message_dict.items()]
            if hasattr(error, "error_dict")
            else error.messages
        )
        raise Open311Error(400, *messages) from None
    if queued:
        # The spec's answer for a request filed later: a token, no id yet.
        row = {
            "token": created.token,
            "service_notice": selectors.queued_notice(created),
            "account_id": created.payload["account_id"],
        }
    else:
        appeal = created.appeal
        row = {
            "service_request_id": appeal.tracking_number,
            "token": created.token,
            "service_notice": selectors.service_notice(appeal.status, appeal.respond_due),
            "account_id": created.account_id,
        }
    return document(fmt, [row], root="service_requests", item="request")


@endpoint()
def request_detail(request, fmt, params, key, number):
    number = tracking_number_normalise(number)
    appeal = selectors.requests_filtered(numbers=[number]).first() if len(number) <= 20 else None
    if appeal is None:
        raise Open311Error(404, _("service_request_id “%(id)s” was not found.") % {"id": number})
    return document(fmt, selectors.request_rows([appeal]), root="service_requests", item="request")


@endpoint()
def token(request, fmt, params, key, token):
    found = selectors.token_row(token) if len(token) <= 40 else None
    if found is None:
        raise Open311Error(404, _("token “%(token)s” was not found.") % {"token": token})
    if found.get("error"):
        raise Open311Error(
            400,
            _("The request with token “%(token)s” could not be filed: %(reason)s")
            % {"token": token, "reason": found["error"]},
        )
    return document(fmt, [found], root="service_requests", item="request")


@endpoint(cached=True)
def request_updates(request, fmt, params, key):
    start, end = _window(params)
    rows = [selectors.update_row(r) for r in selectors.updates_queryset(start, end)[_page(params)]]
    return document(fmt, rows, root="service_request_updates", item="request_update")
