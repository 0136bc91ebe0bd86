"""Writing reminders in bulk (the sweeps), reading them (the recipient), and
mailing them (a job that claims its rows, so two workers never mail one twice)."""

import datetime as dt
import json
import logging
from collections.abc import Iterable
from typing import NamedTuple

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.core.mail import EmailMessage, get_connection
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shishi.org.models import Membership

from .models import MailStatus, Reminder

log = logging.getLogger(__name__)

BATCH = 2000
MAIL_BATCH = 50
MAIL_MAX_ATTEMPTS = 5


class ReminderSpec(NamedTuple):
    recipient_id: int
    reason: str
    subject: str = ""
    period: str = ""
    params: dict = {}  # shared default, never mutated
    link: str = ""

    @property
    def key(self) -> tuple:
        return self[:4]


def holders_of(perm: str):
    """Active users who hold `perm` ("app.codename") through a role or directly.
    A subquery: callers filter memberships or users by it."""
    app_label, codename = perm.split(".")
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    User = get_user_model()
    if permission is None:
        return User.objects.none().values("pk")
    return (
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .values("pk")
    )


def unit_members_with(perm: str, unit_ids: Iterable[int]) -> dict[int, list[int]]:
    """unit id → the users of that unit who hold `perm`, in one query."""
    result: dict[int, list[int]] = {}
    rows = (
        Membership.objects.filter(unit_id__in=list(unit_ids), user__in=holders_of(perm))
        .values_list("unit_id", "user_id")
        .distinct()
        .order_by("unit_id", "user_id")
    )
    for unit_id, user_id in rows:
        result.setdefault(unit_id, []).append(user_id)
    return result


def users_with(perm: str) -> list[int]:
    return sorted(
        set(get_user_model().objects.filter(pk__in=holders_of(perm)).values_list("pk", flat=True))
    )


def _mail_wanted(recipient_ids: set[int]) -> set[int]:
    if not settings.SHISHI_REMINDER_EMAIL or not recipient_ids:
        return set()
    return set(
        get_user_model()
        .objects.filter(pk__in=recipient_ids)
        .exclude(email="")
        .values_list("pk", flat=True)
    )


def reminders_create(*, specs: Iterable[ReminderSpec], now: dt.datetime | None = None) -> int:
    """Write the reminders whose key is new; ones already written are skipped by
    the database (the unique key), so running this twice writes nothing twice.
    Returns how many were written. Each batch commits on its own: a worker killed
    midway keeps what it wrote, and the next run writes the rest.

    One INSERT … ON CONFLICT DO NOTHING per batch, not the ORM's bulk_create: a
    sweep writes tens of thousands, and the database's row count says exactly
    how many were new."""
    stamp = now or timezone.now()
    unique = list({spec.key: spec for spec in specs}.values())
    if not unique:
        return 0
    mailed = _mail_wanted({s.recipient_id for s in unique})
    table = connection.ops.quote_name(Reminder._meta.db_table)
    columns = "recipient_id, reason, subject, period, params, link, created_at, mail_status, mail_attempts"
    created = connection.ops.adapt_datetimefield_value(stamp)
    written = 0
    for start in range(0, len(unique), BATCH):
        chunk = unique[start : start + BATCH]
        mail = [MailStatus.PENDING if s.recipient_id in mailed else MailStatus.NONE for s in chunk]
        params = [json.dumps(s.params, cls=DjangoJSONEncoder) for s in chunk]
        with transaction.atomic(), connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                # One parameter per column, whatever the batch's size.
                cursor.execute(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608  (our own table and columns)
                    "SELECT r, re, su, pe, pa::jsonb, li, %s, ma, 0 FROM unnest("
                    "%s::bigint[], %s::text[], %s::text[], %s::text[], %s::text[], %s::text[], "
                    "%s::text[]) AS t(r, re, su, pe, pa, li, ma) ON CONFLICT DO NOTHING",
                    [
                        created,
                        [s.recipient_id for s in chunk],
                        [str(s.reason) for s in chunk],
                        [s.subject for s in chunk],
                        [s.period for s in chunk],
                        params,
                        [s.link for s in chunk],
                        [str(m) for m in mail],
                    ],
                )
                written += cursor.rowcount
            else:
                cursor.executemany(
                    f"INSERT INTO {table} ({columns}) "  # noqa: S608  (our own table and columns)
                    "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, 0) ON CONFLICT DO NOTHING",
                    [
                        (
                            s.recipient_id,
                            str(s.reason),
                            s.subject,
                            s.period,
                            p,
                            s.link,
                            created,
                            str(m),
                        )
                        for s, p, m in zip(chunk, params, mail, strict=True)
                    ],
                )
                written += cursor.rowcount
    return written


def _own(reminder: Reminder, actor) -> None:
    if reminder.recipient_id != actor.pk:
        raise PermissionDenied(_("This reminder is addressed to someone else."))


@transaction.atomic
def reminder_mark_read(*, reminder: Reminder, actor) -> Reminder:
    _own(reminder, actor)
    if reminder.read_at is None:
        # Conditional: a second click (or a second tab) keeps the first time.
        Reminder.objects.filter(pk=reminder.pk, read_at__isnull=True).update(read_at=timezone.now())
        reminder.refresh_from_db(fields=["read_at"])
    return reminder


@transaction.atomic
def reminders_mark_all_read(*, actor) -> int:
    return Reminder.objects.for_user(actor).unread().update(read_at=timezone.now())


def _message(reminder: Reminder) -> EmailMessage:
    text = reminder.text
    body = text
    if reminder.link:
        body += "\n\n" + settings.SHISHI_SITE_URL.rstrip("/") + reminder.link
    return EmailMessage(
        subject=f"[{_('Shishi')}] {reminder.get_reason_display()}",
        body=body,
        to=[reminder.recipient.email],
    )


def reminders_send_pending(*, limit: int = 1000) -> dict[str, int]:
    """Mail the reminders waiting to be mailed, a batch at a time. Each batch is
    claimed with SELECT … FOR UPDATE SKIP LOCKED, so two workers take different
    rows; it is marked sent in the same transaction. A worker killed between
    sending and committing sends that batch again (at least once, never lost)."""
    sent = failed = 0
    with translation.override(settings.LANGUAGE_CODE):
        while sent + failed < limit:
            with transaction.atomic():
                batch = list(
                    Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(mail_status=MailStatus.PENDING)
                    .select_related("recipient")
                    .order_by("created_at", "pk")[:MAIL_BATCH]
                )
                if not batch:
                    break
                connection = get_connection()
                now = timezone.now()
                for reminder in batch:
                    try:
                        connection.send_messages([_message(reminder)])
                    except Exception:  # the mail server's trouble is logged, not raised
                        log.exception("Could not mail reminder %s", reminder.pk)
                        reminder.mail_attempts += 1
                        if reminder.mail_attempts >= MAIL_MAX_ATTEMPTS:
                            reminder.mail_status = MailStatus.FAILED
                            failed += 1
                        reminder.save(update_fields=["mail_attempts", "mail_status"])
                    else:
                        reminder.mail_status = MailStatus.SENT
                        reminder.mailed_at = now
                        reminder.save(update_fields=["mail_status", "mailed_at"])
                        sent += 1
                if any(r.mail_status != MailStatus.SENT for r in batch):
                    break  # the server refuses some now: try again next run
    return {"mailed": sent, "mail_failed": failed}
