"""Bulk intake: many appeals in one call (an Excel/CSV import, a hotline's
nightly transfer), checked by the rules of `appeal_submit`, stored all or
nothing, each with its creation on record in the appeal history.

The records are consumed batch by batch, so memory stays bounded however many
there are. A bad record stops the call with a `RowError` (a ValidationError)
naming the record's 1-based row and the field, and the transaction leaves
nothing of that call behind.

A record may carry an `import_key` (where an imported appeal came from, so a
second import of the same file can skip it) and an `answer` (the reply the
source already gave: the appeal is stored as answered, with the answer as
its status note).

Why not `bulk_create` and `simple_history.utils.bulk_create_with_history`:
they build a model instance per row, prepare every value of every row one
field at a time, and insert 47 rows a statement on SQLite (999 parameters); on
a two-core machine that tops out near 2,000 appeals a second with history
(bench/bench_ledger.py measures both ways). Here each record becomes one list
of database values; the appeals go in with one prepared statement executed
many times (COPY on PostgreSQL), and their history rows are copied from the
stored appeals by an INSERT … SELECT per batch, so the history holds exactly
what was stored. The columns come from the models' metadata: a new Appeal
field with a default is filled with it; a history column this module does not
know stops the call.
"""

import dataclasses
import datetime as dt
import os
import random
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal
from itertools import islice
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import connections, router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text
from shishi.org.models import Unit
from shishi.service_levels.deadlines import PolicyBook

from .models import (
    BODY_MAX,
    IMPORT_KEY_MAX,
    Appeal,
    AppealOutcome,
    AppealStatus,
    CollectionEvent,
)
from .services import TRACKING_ALPHABET, appeal_fields_clean

# Records validated and stored together: one collision check of their tracking
# numbers, one INSERT (or COPY) and one history copy. Larger batches gain
# little and hold more records in memory.
BATCH_SIZE = 2000

# What a record may hold: the keyword arguments of `appeal_submit` less the
# actor and the random source, which are the call's.
FIELDS = frozenset(
    {
        "title",
        "body",
        "channel",
        "event",
        "category",
        "received_at",
        "submitter_name",
        "submitter_phone",
        "submitter_email",
        "submitter",
        "address",
        "community",
        "lat",
        "lng",
        "import_key",
        "answer",
    }
)

# The appeal columns (attnames) a record fills, in the order of `_clean`'s
# list. Every other column gets its model default, or the call's time for
# auto_now and auto_now_add fields.
_ROW_COLUMNS = (
    "tracking_number",
    "title",
    "body",
    "channel",
    "event_id",
    "category_id",
    "submitter_name",
    "submitter_phone",
    "submitter_email",
    "submitter_id",
    "address",
    "community_id",
    "lat",
    "lng",
    "received_at",
    "import_key",
    "status",
    "status_note",
    "acknowledge_due",
    "respond_due",
    "acknowledged_at",
    "responded_at",
    "outcome",
)
IMPORT_KEY_INDEX = _ROW_COLUMNS.index("import_key")
# Values of these field types go to the database as they are (str, int, None).
_AS_IS = frozenset({"CharField", "TextField", "EmailField", "ForeignKey"})


_SUFFIX_SPACE = len(TRACKING_ALPHABET) ** 6
# Pairs of characters: a six-character suffix is three look-ups.
_PAIRS = [a + b for a in TRACKING_ALPHABET for b in TRACKING_ALPHABET]
assert len(_PAIRS) ** 3 == _SUFFIX_SPACE
# 32-bit words below this are used (85% of them), so the suffixes stay uniform.
_WORD_LIMIT = (2**32 // _SUFFIX_SPACE) * _SUFFIX_SPACE
# Tracking numbers per IN (…) on SQLite, which allows 999 parameters.
_IN_CHUNK = 900
# SQLite's page cache during a bulk call, in KiB (its default is 2 MiB).
_SQLITE_CACHE_KIB = 64 * 1024
# A label for error messages, translated only when one is shown.
_ANSWER = gettext_lazy("Answer")


@dataclasses.dataclass(frozen=True)
class AppealRecord:
    """One appeal to store; a plain dict with the same keys does as well."""

    title: str
    channel: str
    received_at: dt.datetime | None = None
    body: str = ""
    event: CollectionEvent | None = None
    category: Category | None = None
    submitter_name: str = ""
    submitter_phone: str = ""
    submitter_email: str = ""
    submitter: Any = None
    address: str = ""
    community: Unit | None = None
    lat: Decimal | float | str | None = None
    lng: Decimal | float | str | None = None
    import_key: str | None = None
    answer: str = ""


class RowError(ValidationError):
    """A record failed validation: `row` is its 1-based position in the input,
    `field` the field at fault, and the message names both."""

    def __init__(self, row: int, field: str, message: str):
        super().__init__(
            {field: [_("Row %(row)d: %(message)s") % {"row": row, "message": message}]}
        )
        self.row = row
        self.field = field
        self.reason = message

    def __reduce__(self):
        # Pickled whole (a task queue sends it back to the web process).
        return type(self), (self.row, self.field, self.reason)


def appeals_bulk_create(
    records: Iterable[Mapping[str, Any] | AppealRecord],
    *,
    batch_size: int = BATCH_SIZE,
    actor=None,
    rng: random.Random | None = None,
    reason: str = "received",
) -> int:
    """Validate and store many appeals in one transaction; return how many.

    Each record holds the keyword arguments of `appeal_submit`, as a dict or a
    dataclass such as `AppealRecord`. Related objects (event, category,
    community, submitter) are saved model instances that the caller looked up
    once, not once per row. `actor` and `reason` go on every history record."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    cleaner = AppealCleaner(recorded_by_staff=actor is not None and actor.is_staff)
    batches = (cleaner.batch(batch, first) for first, batch in _batches(records, batch_size))
    return appeals_bulk_store(batches, cleaner=cleaner, actor=actor, rng=rng, reason=reason)


@dataclasses.dataclass(frozen=True)
class CleanBatch:
    """Records that passed the intake rules, as `AppealCleaner.batch` made them:
    their tracking-number prefixes and their database values (the tracking
    number still to draw). Plain lists, so a batch pickles cheaply: a worker
    process may check the records while this one stores the batch before."""

    first: int  # the 1-based number of the batch's first record
    prefixes: list[str]
    rows: list[list]

    def import_keys(self) -> list[str | None]:
        return [row[IMPORT_KEY_INDEX] for row in self.rows]

    def without(self, drop: set[int]) -> "CleanBatch":
        """The batch less the rows at these indexes (appeals imported before)."""
        keep = [i for i in range(len(self.rows)) if i not in drop]
        return CleanBatch(
            self.first, [self.prefixes[i] for i in keep], [self.rows[i] for i in keep]
        )


def appeals_bulk_store(
    batches: Iterable[CleanBatch],
    *,
    cleaner: "AppealCleaner",
    actor=None,
    rng: random.Random | None = None,
    reason: str = "received",
) -> int:
    """Store batches that `cleaner` checked, in one transaction; return how
    many appeals. `batches` may be produced lazily (as the records are read)."""
    using = cleaner.using
    connection = connections[using]
    stored = 0
    with transaction.atomic(using=using), _large_cache(connection):
        writer = _Writer(connection, now=cleaner.now, actor=actor, reason=reason)
        for batch in batches:
            if (
                not isinstance(batch, CleanBatch)
                or batch.rows
                and len(batch.rows[0]) != len(_ROW_COLUMNS)
            ):
                raise TypeError("appeals_bulk_store takes the batches of AppealCleaner.batch")
            if not batch.rows:
                continue
            _number(batch.rows, batch.prefixes, rng, writer)
            writer.insert(batch.rows)
            stored += len(batch.rows)
    return stored


class AppealCleaner:
    """The intake rules for bulk records, worked out once per call: checks a
    record and turns it into database values without touching the database,
    so it may run in another process than the one that stores the rows."""

    def __init__(self, *, now: dt.datetime | None = None, recorded_by_staff: bool = False):
        self.using = router.db_for_write(Appeal)
        # As `appeal_submit`: appeals that staff record are acknowledged as stored.
        self.recorded_by_staff = recorded_by_staff
        connection = connections[self.using]
        self.now = now or timezone.now()
        self.zone = timezone.get_current_timezone()
        self.user_model = get_user_model()
        # The service levels, read once: the deadlines cost no query per record.
        self.policies = PolicyBook.load()
        self.days: dict[dt.date, str] = {}
        self.dataclass_fields: dict[type, set[str]] = {}
        fields = {f.attname: f for f in Appeal._meta.concrete_fields if not f.primary_key}
        # Row values that need the backend's preparation (datetimes, decimals).
        self.prepare = [
            (index, _preparer(fields[attname], connection))
            for index, attname in enumerate(_ROW_COLUMNS)
            if fields[attname].get_internal_type() not in _AS_IS
        ]

    def batch(self, records: Iterable, first: int = 1) -> CleanBatch:
        """The records checked; a RowError (numbered from `first`) at the first bad one."""
        prefixes, rows = [], []
        for number, record in enumerate(records, start=first):
            prefix, row = _row(record, number, self)
            prefixes.append(prefix)
            rows.append(row)
        return CleanBatch(first, prefixes, rows)

    def check(self, record) -> None:
        """Apply the rules to one record: a ValidationError naming the field."""
        _row_fields(record, self)

    def day_prefix(self, received_at: dt.datetime) -> str:
        if received_at.tzinfo is self.zone:
            day = received_at.date()
        else:
            day = received_at.astimezone(self.zone).date()
        prefix = self.days.get(day)
        if prefix is None:
            prefix = self.days[day] = f"{day:%y%m%d}-"
        return prefix

    def unknown_fields(self, cls: type) -> set[str]:
        names = self.dataclass_fields.get(cls)
        if names is None:
            names = self.dataclass_fields[cls] = {f.name for f in dataclasses.fields(cls)}
        return names - FIELDS


def _batches(records: Iterable, size: int) -> Iterator[tuple[int, list]]:
    """(the 1-based number of the batch's first record, the batch); the input
    is read one batch ahead of the database, never further."""
    it = iter(records)
    first = 1
    while batch := list(islice(it, size)):
        yield first, batch
        first += len(batch)


@contextmanager
def _large_cache(connection) -> Iterator[None]:
    """On SQLite, a page cache that holds the indexes being filled (the default
    is 2 MiB a connection), restored afterwards: it saves about a fifth of the
    database's time on an import of 100,000 appeals."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        # Negative sizes are in KiB, positive ones in pages: leave those alone.
        larger = before < 0 and -before < _SQLITE_CACHE_KIB
        if larger:
            cursor.execute(f"PRAGMA cache_size = -{_SQLITE_CACHE_KIB:d}")
    try:
        yield
    finally:
        if larger:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA cache_size = {before:d}")


def _row(record, number: int, cleaner: AppealCleaner) -> tuple[str, list]:
    """The record checked: (its tracking-number prefix, its database values)."""
    try:
        return _row_fields(record, cleaner)
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            field, messages = next(iter(error.message_dict.items()))
        else:
            field, messages = "record", error.messages
        raise RowError(number, field, " ".join(messages)) from None


def _row_fields(record, cleaner: AppealCleaner) -> tuple[str, list]:
    if type(record) is dict or isinstance(record, Mapping):
        unknown = record.keys() - FIELDS
        get = record.get
    elif dataclasses.is_dataclass(record) and not isinstance(record, type):
        unknown = cleaner.unknown_fields(type(record))

        def get(name, default=None):
            return getattr(record, name, default)

    else:
        raise ValidationError({"record": _("A record must be a mapping or a dataclass.")})
    if unknown:
        field = min(unknown)
        raise ValidationError({field: _("Unknown field “%(field)s”.") % {"field": field}})
    return _clean(get, cleaner)


def _clean(get, cleaner: AppealCleaner) -> tuple[str, list]:
    """The intake rules (`appeal_fields_clean`, shared with `appeal_submit`)
    without `full_clean`'s queries: saved related instances are trusted to
    exist (the database's foreign keys still check them at commit)."""
    fields = appeal_fields_clean(
        title=get("title"),
        body=get("body", ""),
        channel=get("channel"),
        event=_related(get, "event", CollectionEvent),
        category=_related(get, "category", Category),
        received_at=get("received_at"),
        submitter_name=get("submitter_name", ""),
        submitter_phone=get("submitter_phone", ""),
        submitter_email=get("submitter_email", ""),
        address=get("address", ""),
        community=_related(get, "community", Unit),
        lat=get("lat"),
        lng=get("lng"),
        now=cleaner.now,
    )
    submitter = _related(get, "submitter", cleaner.user_model)
    answer = optional_text(get("answer", ""), field="answer", max_length=BODY_MAX, label=_ANSWER)
    import_key = get("import_key") or None
    if import_key is not None and (
        not isinstance(import_key, str) or len(import_key) > IMPORT_KEY_MAX
    ):
        raise ValidationError(
            {
                "import_key": _("The import key must be text of at most %(max)d characters.")
                % {"max": IMPORT_KEY_MAX}
            }
        )
    event, category, community = fields["event"], fields["category"], fields["community"]
    received_at = fields["received_at"]
    due = cleaner.policies.appeal_deadlines(
        received_at=received_at, category_id=category.pk if category is not None else None
    )
    # An answer the source already gave reached the resident before we knew of
    # the appeal: it counts from when it is stored, as the migration that
    # introduced these fields counts the appeals stored before them.
    answered_at = cleaner.now if answer else None
    acknowledged_at = cleaner.now if answer or cleaner.recorded_by_staff else None
    row = [
        None,  # the tracking number, drawn once the whole batch is clean
        fields["title"],
        fields["body"],
        fields["channel"],
        event.pk if event is not None else None,
        category.pk if category is not None else None,
        fields["submitter_name"],
        fields["submitter_phone"],
        fields["submitter_email"],
        submitter.pk if submitter is not None else None,
        fields["address"],
        community.pk if community is not None else None,
        fields["lat"],
        fields["lng"],
        received_at,
        import_key,
        AppealStatus.ANSWERED if answer else AppealStatus.RECEIVED,
        answer,
        due.acknowledge_due,
        due.respond_due,
        acknowledged_at,
        answered_at,
        AppealOutcome.ANSWERED if answer else "",
    ]
    for index, prepare in cleaner.prepare:
        row[index] = prepare(row[index])
    return cleaner.day_prefix(received_at), row


def _related(get, name: str, model):
    value = get(name)
    if value is None:
        return None
    if not isinstance(value, model) or value.pk is None:
        raise ValidationError(
            {
                name: _("“%(value)s” is not a saved %(model)s.")
                % {"value": value, "model": model._meta.verbose_name}
            }
        )
    return value


def _number(rows: list[list], prefixes: list[str], rng, writer: "_Writer") -> None:
    """Tracking numbers in the format of `tracking_number_new` (YYMMDD-XXXXXX,
    the day, then six random characters), unique in the batch and among the
    stored appeals: one query per batch (per 900 on SQLite), not per row."""
    pending = range(len(rows))
    seen: set[str] = set()
    for _attempt in range(10):
        for i, value in zip(pending, _draws(len(pending), rng), strict=True):
            rows[i][0] = prefixes[i] + _suffix(value)
        stored = writer.stored_numbers([rows[i][0] for i in pending])
        retry = []
        for i in pending:
            number = rows[i][0]
            if number in stored or number in seen:
                retry.append(i)
            else:
                seen.add(number)
        if not retry:
            return
        pending = retry
    raise RuntimeError("No free tracking numbers after 10 draws.")  # 30^6 a day: not in practice


def _draws(count: int, rng: random.Random | None) -> Iterator[int]:
    """`count` uniform numbers below _SUFFIX_SPACE: from `rng` when given (for
    repeatable tests), else from the system's secure source, a batch at a time
    (`secrets.choice` per character costs a system call each)."""
    if rng is not None:
        for _i in range(count):
            yield rng.randrange(_SUFFIX_SPACE)
        return
    while count > 0:
        words = memoryview(os.urandom(4 * (count + count // 4 + 8))).cast("I")
        for word in words:
            if word < _WORD_LIMIT:
                yield word % _SUFFIX_SPACE
                count -= 1
                if count == 0:
                    return


def _suffix(value: int) -> str:
    value, low = divmod(value, 900)
    high, middle = divmod(value, 900)
    return _PAIRS[high] + _PAIRS[middle] + _PAIRS[low]


class _Writer:
    """What one call needs, worked out once: the time, the SQL from the models'
    metadata, the values every row shares."""

    def __init__(self, connection, *, now: dt.datetime, actor, reason: str):
        self.connection = connection
        self.vendor = connection.vendor
        quote = connection.ops.quote_name
        meta = Appeal._meta
        fields = {f.attname: f for f in meta.concrete_fields if not f.primary_key}
        # The other columns hold the same value in every row.
        constants = {}
        for attname, field in fields.items():
            if attname not in _ROW_COLUMNS:
                auto = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
                value = now if auto else field.get_default()
                constants[field.column] = field.get_db_prep_save(value, connection)
        self.constants = list(constants.values())
        columns = ", ".join(
            quote(c) for c in [*(fields[a].column for a in _ROW_COLUMNS), *constants]
        )
        marks = ", ".join(["%s"] * (len(_ROW_COLUMNS) + len(constants)))
        self.table = quote(meta.db_table)
        self.number_column = quote(fields["tracking_number"].column)
        self.insert_sql = f"INSERT INTO {self.table} ({columns}) VALUES ({marks})"  # noqa: S608 (names from metadata)
        self.copy_sql = f"COPY {self.table} ({columns}) FROM STDIN"
        self.id_column = quote(meta.pk.column)
        self.last_id_sql = f"SELECT COALESCE(MAX({self.id_column}), 0) FROM {self.table}"  # noqa: S608
        self.history = (
            _HistoryCopy(connection, now=now, actor=actor, reason=reason)
            if getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
            else None
        )

    def matching(self, numbers: list[str]) -> Iterator[tuple[str, list]]:
        """(a condition on the tracking number, its parameters) covering `numbers`."""
        if self.vendor == "postgresql":
            yield f"{self.number_column} = ANY(%s)", [numbers]
            return
        for start in range(0, len(numbers), _IN_CHUNK):
            chunk = numbers[start : start + _IN_CHUNK]
            yield f"{self.number_column} IN ({', '.join(['%s'] * len(chunk))})", chunk

    def stored_numbers(self, numbers: list[str]) -> set[str]:
        found: set[str] = set()
        with self.connection.cursor() as cursor:
            for condition, params in self.matching(numbers):
                sql = f"SELECT {self.number_column} FROM {self.table} WHERE {condition}"  # noqa: S608
                cursor.execute(sql, params)
                found.update(number for (number,) in cursor.fetchall())
        return found

    def insert(self, rows: list[list]) -> None:
        constants, history = self.constants, self.history
        with self.connection.cursor() as cursor:
            if self.vendor == "postgresql":
                # COPY is several times faster than INSERT there.
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
            else:
                if self.vendor == "sqlite":
                    cursor.execute(self.last_id_sql)
                    (last_id,) = cursor.fetchone()
                cursor.executemany(self.insert_sql, [row + constants for row in rows])
            if history is None:
                return
            if self.vendor == "sqlite":
                # SQLite lets one connection write at a time, and this one has
                # held the write lock since its first INSERT (since BEGIN, in
                # our settings' IMMEDIATE mode): the rows above that id are
                # exactly this batch, read in id order without an index probe.
                cursor.execute(
                    history.sql.format(condition=f"{self.id_column} > %s"),
                    [*history.params, last_id],
                )
                return
            for condition, params in self.matching([row[0] for row in rows]):
                cursor.execute(history.sql.format(condition=condition), [*history.params, *params])


def _preparer(field, connection):
    """The database value of a checked row value: its field's backend adapter
    straight away (the value is already what `to_python` would make of it)."""
    ops = connection.ops
    kind = field.get_internal_type()
    if kind == "DateTimeField" and connection.vendor == "sqlite" and settings.USE_TZ:
        # SQLite's `adapt_datetimefield_value` less its checks (the value is
        # known to be aware), which took a third of a row's time: the time in
        # the database's zone, naive, as text.
        db_zone = connection.timezone

        def prepare_sqlite_datetime(value):
            return None if value is None else str(value.astimezone(db_zone).replace(tzinfo=None))

        return prepare_sqlite_datetime
    if kind == "DateTimeField":

        def prepare_datetime(value):
            return None if value is None else ops.adapt_datetimefield_value(value)

        return prepare_datetime
    if kind == "DecimalField":
        digits, places = field.max_digits, field.decimal_places

        def prepare_decimal(value):
            return None if value is None else ops.adapt_decimalfield_value(value, digits, places)

        return prepare_decimal

    def prepare(value):
        return None if value is None else field.get_db_prep_save(value, connection)

    return prepare


class _HistoryCopy:
    """An INSERT … SELECT that copies freshly stored appeals into the history
    table, with the history columns simple_history fills on a creation."""

    def __init__(self, connection, *, now: dt.datetime, actor, reason: str):
        quote = connection.ops.quote_name
        history = Appeal.history.model
        tracked = [f.column for f in history.tracked_fields]
        values = {
            "history_date": now,
            "history_change_reason": reason[:100],
            "history_type": "+",
            "history_user_id": getattr(actor, "pk", None),
        }
        extra, self.params = [], []
        for field in history._meta.concrete_fields:
            if field.primary_key or field.column in tracked:
                continue
            if field.attname not in values:
                # Filled by simple_history (or a custom history model) in a way
                # this copy does not know: refuse rather than leave it empty.
                raise RuntimeError(f"Bulk intake cannot fill {history.__name__}.{field.attname}.")
            extra.append(field.column)
            self.params.append(field.get_db_prep_save(values[field.attname], connection))
        columns = ", ".join(quote(c) for c in [*tracked, *extra])
        selected = ", ".join([*(quote(c) for c in tracked), *(["%s"] * len(extra))])
        source = quote(Appeal._meta.db_table)
        order = quote(Appeal._meta.pk.column)
        # History ids follow the appeals' ids. Braces are doubled for .format().
        self.sql = (
            f"INSERT INTO {quote(history._meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {selected} FROM {source} WHERE {{condition}} ORDER BY {order}"
        )
