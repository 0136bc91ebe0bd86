"""Helpers the management commands share: look things up by the names people
type, parse the formats they type, and turn refusals into clear errors."""

import datetime as dt
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import CommandError

from shishi.ledger.models import ISO_WEEK, iso_week_monday
from shishi.org.models import Unit, User


def user_by_name(username: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user with the username “{username}”.")
    return user


def unit_by_name(name: str) -> Unit:
    units = list(Unit.objects.active().filter(name=name)[:2])
    if not units:
        raise CommandError(f"No active unit named “{name}”.")
    if len(units) > 1:
        raise CommandError(f"Several units are named “{name}”; rename one in the admin.")
    return units[0]


def parse_date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD): {value!r}") from None


def parse_week(value: str) -> dt.date:
    """'2021-W40' (ISO week) or any date inside the week; returns that date."""
    if ISO_WEEK.fullmatch(value.strip()):
        try:
            return iso_week_monday(value)
        except ValueError:
            raise CommandError(f"No such ISO week: {value!r}") from None
    return parse_date(value)


def format_errors(err: ValidationError) -> str:
    if hasattr(err, "error_dict"):
        return "; ".join(f"{field}: {' '.join(msgs)}" for field, msgs in err.message_dict.items())
    return " ".join(err.messages)


@contextmanager
def refusals_as_command_errors():
    try:
        yield
    except ValidationError as err:
        raise CommandError(format_errors(err)) from None
    except PermissionDenied as err:
        raise CommandError(str(err) or "Permission denied.") from None
