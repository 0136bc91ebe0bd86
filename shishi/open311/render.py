"""Open311 documents as XML and JSON, written directly (no templates, no
ElementTree): the list endpoints are the hot path of the API.

The XML is well-formed whatever the data holds: text is escaped, and the
characters XML 1.0 cannot carry at all (most C0 controls, unpaired
surrogates, U+FFFE/U+FFFF) are dropped."""

import datetime as dt
import json
import re
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone

JSON_TYPE = "application/json; charset=utf-8"
XML_TYPE = "text/xml; charset=utf-8"
FORMATS = ("xml", "json")

# The child element of each list the spec names (Spark convention in JSON).
LIST_CHILDREN = {
    "endpoints": "endpoint",
    "formats": "format",
    "attributes": "attribute",
    "values": "value",
}

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def w3c(value: dt.datetime | None, tz: dt.tzinfo | None = None) -> str | None:
    """A W3C date-time with its zone, in the installation's time zone (pass
    `tz`, timezone.get_current_timezone(), when writing many)."""
    if value is None:
        return None
    return value.astimezone(tz or timezone.get_current_timezone()).isoformat(timespec="seconds")


def _scalar(value) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, dt.datetime):
        return w3c(value) or ""
    return str(value)


def xml_text(value) -> str:
    return _NOT_XML.sub("", _scalar(value)).translate(_ESCAPES)


def _xml_element(out: list[str], tag: str, value) -> None:
    if isinstance(value, dict):
        out.append(f"<{tag}>")
        for key, inner in value.items():
            _xml_element(out, key, inner)
        out.append(f"</{tag}>")
    elif isinstance(value, list | tuple):
        child = LIST_CHILDREN[tag]
        out.append(f"<{tag}>")
        for inner in value:
            _xml_element(out, child, inner)
        out.append(f"</{tag}>")
    else:
        out.append(f"<{tag}>{xml_text(value)}</{tag}>")


def xml_document(root: str, value, item: str | None = None) -> bytes:
    """`value` is a dict (one object) or a list of dicts, each an `item` element."""
    out = ['<?xml version="1.0" encoding="utf-8"?>\n']
    if isinstance(value, list):
        out.append(f"<{root}>")
        for row in value:
            _xml_element(out, item, row)
        out.append(f"</{root}>")
    else:
        _xml_element(out, root, value)
    return "".join(out).encode("utf-8")


def _json_default(value):
    if isinstance(value, dt.datetime):
        return w3c(value)
    if isinstance(value, Decimal):
        return float(value)
    return str(value)


def json_document(value) -> bytes:
    return json.dumps(value, ensure_ascii=False, default=_json_default).encode("utf-8")


def document(fmt: str, value, *, root: str, item: str | None = None, status: int = 200):
    if fmt == "json":
        return HttpResponse(json_document(value), content_type=JSON_TYPE, status=status)
    return HttpResponse(xml_document(root, value, item), content_type=XML_TYPE, status=status)


def errors(fmt: str, status: int, messages: list[str], *, headers=None) -> HttpResponse:
    """The spec's error list: one entry per problem, each with the HTTP code."""
    rows = [{"code": status, "description": str(message)} for message in messages]
    response = document(fmt, rows, root="errors", item="error", status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response
