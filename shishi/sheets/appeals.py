"""Importing appeals from a spreadsheet: every row checked, then all of them
stored or none.

Rows are read a batch at a time, so memory stays bounded whatever the file's
size. They are checked by the intake rules of `appeal_submit`
(`appeal_fields_clean`) and stored through `shishi.intake.bulk`, each with its
"created" history record. An appeal imported before is skipped: its key is
the source's id under a named mapping ("teddy2020:188006"), else a hash of
its content, so importing a file twice stores it once.

A check (`commit=False`, the preview) reads the file once and reports every
error. An import reads it once too when all is well: the rows go into one
transaction as they are checked. At the first bad row that transaction is
rolled back and the file is checked from the start instead, so the report
lists every error and nothing is stored.

An import longer than one batch uses two processes: a forked worker reads
the file and applies every rule (the categories and communities it may match
are read beforehand, as it never touches the database) while this process
stores the batch before; a pipe keeps the worker one batch ahead at most."""

import datetime as dt
import hashlib
import multiprocessing
import os
import tempfile
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from itertools import islice
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connections, router, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.categories.services import category_resolve
from shishi.intake.bulk import AppealCleaner, CleanBatch, appeals_bulk_store
from shishi.intake.models import IMPORT_KEY_MAX, TITLE_MAX, Appeal, Channel
from shishi.org.models import Unit, UnitKind

from .cells import cell_text, clean_line, clean_text, parse_datetime, parse_decimal
from .mappings import (
    ADDRESS_SEPARATOR,
    TITLE_SEPARATOR,
    ImportMap,
    mapping_for_file,
    mapping_from_json,
)
from .results import ImportRefused, ImportReport, Progress, RowError
from .tables import Table, open_table

# Rows read, looked up and stored together.
BATCH_SIZE = 2000
# The longest id a source may give (the import key adds the mapping's name).
SOURCE_ID_MAX = 100
# A title taken from the text when the row has none: its first line, at most this long.
TITLE_FROM_BODY = 60
# Names kept per column in the report's "matches nothing" lists.
UNMATCHED_KEPT = 200
# Import keys looked up per query (SQLite allows 999 parameters).
KEYS_PER_QUERY = 900
# With `parallel`, a file longer than one batch is read and checked by a worker
# process (where processes fork) while this one stores the batch before: the
# two halves of the work take about as long as each other. Only for a process
# of one thread (the command line): forking a threaded web server can deadlock.
WORKER = "fork" in multiprocessing.get_all_start_methods() and (os.cpu_count() or 1) > 1

# What a channel column may say, besides our own codes and labels.
CHANNEL_WORDS = {
    Channel.HOTLINE: ("hotline", "phone", "telephone", "call", "12345", "热线", "电话", "来电"),
    Channel.WEB: (
        "web",
        "online",
        "internet",
        "website",
        "email",
        "e-mail",
        "网站",
        "网络",
        "网上",
        "留言",
        "留言板",
        "邮件",
        "电子邮件",
    ),
    Channel.API: ("api", "mobile", "app", "system", "手机", "客户端", "小程序", "微信"),
    Channel.FORUM: ("座谈", "座谈会"),
    Channel.QUESTIONNAIRE: ("survey", "问卷", "问卷调查"),
    Channel.VISIT: ("走访", "入户", "入户走访"),
    Channel.ENTERPRISE_VISIT: ("企业走访", "走访企业"),
    Channel.INSPECTION: ("internal", "巡查", "督查", "检查"),
    Channel.SELF_REVIEW: ("自查",),
}
# Values that say "not known": the mapping's default channel, without comment.
CHANNEL_UNKNOWN = frozenset({"unknown", "other", "n/a", "未知", "其他", "其它"})

# The import fields behind a field `appeal_fields_clean` names in an error.
_ERROR_SOURCES = {"lat": ("lat", "lng"), "lng": ("lng", "lat"), "title": ("title", "body")}


class _Stop(Exception):
    """A row failed while importing: roll back, then check the whole file."""


def appeals_import(
    source: str | os.PathLike | IO[bytes],
    *,
    name: str,
    mapping: ImportMap | str | Mapping | None = None,
    actor=None,
    commit: bool = True,
    progress: Progress | None = None,
    parallel: bool = False,
) -> ImportReport:
    """Check every row of `source` (a path or a binary file) and, with `commit`
    and no error anywhere, store them all in one transaction. `parallel`: check
    in a worker process while storing (see WORKER).

    `mapping`: an ImportMap, a mapping's name, {"field": "header", …} (or
    {"columns": {…}, "defaults": {…}}), or None to recognise it from the
    headers. Raises ImportRefused when the file as a whole cannot be read
    (nothing is stored then either)."""
    with _rereadable(source, name) as reopen:
        stop = None
        if commit:
            try:
                return _import(
                    reopen, mapping, actor=actor, name=name, progress=progress, parallel=parallel
                )
            except _Stop as err:
                stop = err  # rolled back; the check below says what is wrong
        report = _check(reopen, mapping, name=name, progress=progress)
    if stop is not None and report.ok:
        # Storing refused a row that the check passes (a rule only the
        # database knows): say what it said.
        raise ImportRefused(name, str(stop))
    return report


def appeals_preview(
    source: str | os.PathLike | IO[bytes],
    *,
    name: str,
    mapping: ImportMap | str | Mapping | None = None,
    count: int = 5,
) -> list[dict]:
    """The first `count` rows as they would be stored, for a clerk to see that
    the columns are read as meant: each a record (plus its "row"), or the
    row's number and "error" when it cannot be read."""
    rows: list[dict] = []
    with open_table(source, name=name) as table:
        report = ImportReport(file_name=name)
        reader = _RowReader(table, _mapping(mapping, table.headers, name), report)
        for number, values in islice(table.rows(), count):
            try:
                rows.append({"row": number, **reader.record(values)})
            except _RowError as err:
                rows.append({"row": number, "error": err.message})
    return rows


def _check(reopen, mapping, *, name: str, progress) -> ImportReport:
    report = ImportReport(file_name=name)
    with reopen() as table:
        reader = _RowReader(table, _mapping(mapping, table.headers, name), report)
        known = _Known()
        for batch in _batches(table.rows()):
            records = reader.check(batch)
            report.skipped += known.skip(records)
            _report_progress(progress, report.rows, table)
    return report


def _import(reopen, mapping, *, actor, name: str, progress, parallel: bool) -> ImportReport:
    report = ImportReport(file_name=name)
    with reopen() as table:
        reader = _RowReader(table, _mapping(mapping, table.headers, name), report, actor=actor)
        known = _Known()

        def batches() -> Iterator[CleanBatch]:
            for count, repeated, fraction, batch in _cleaned(reader, table, parallel):
                report.rows += count
                drop = known.stored_indexes(batch.import_keys())
                report.skipped += repeated + len(drop)
                report.created += len(batch.rows) - len(drop)
                yield batch.without(drop) if drop else batch
                if progress is not None:
                    progress(report.rows, fraction)

        reason = f"imported from {name}"
        try:
            with transaction.atomic():
                appeals_bulk_store(
                    batches(), cleaner=reader.cleaner, actor=actor, reason=reason[:100]
                )
        except IntegrityError:
            raise ImportRefused(
                name,
                _(
                    "Another import stored some of these appeals at the same time. Nothing "
                    "of this file was stored; import it again to add the rest."
                ),
            ) from None
    report.valid = report.rows
    report.committed = True
    return report


def _cleaned(
    reader: "_RowReader", table: Table, parallel: bool
) -> Iterator[tuple[int, int, float | None, CleanBatch]]:
    """(rows read, rows repeating an earlier row's key, the fraction of the
    file read, the rest of the rows checked) for each batch of the file; _Stop
    at the first bad row. The first batch is checked
    here; the rest, if any, by a worker process (see WORKER)."""
    rows = table.rows()
    first = 1
    for values in _batches(rows):
        yield len(values), *reader.cleaned(values, first, table)
        first += len(values)
        if parallel and WORKER and len(values) == BATCH_SIZE:
            yield from _in_worker(reader, table, _batches(rows), first)
            return


def _in_worker(reader: "_RowReader", table: Table, batches: Iterator[list], first: int):
    """The rest of `_cleaned` run by a forked process, one batch ahead of the
    caller (a pipe holds a small part of one): it reads the file and applies
    every rule, and never touches the database."""
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)

    def work() -> None:
        receive.close()
        number = first
        try:
            for values in batches:
                cleaned = reader.cleaned(values, number, table)
                number += len(values)
                send.send(("batch", (len(values), *cleaned)))
            send.send(("end", reader.report.unmatched))
        except _Stop as err:
            send.send(("stop", (str(err), reader.report.unmatched)))
        except ImportRefused as err:
            send.send(("refused", (err.file_name, err.message, err.row, err.column)))
        except BrokenPipeError:
            pass  # the caller gave up
        except BaseException:  # noqa: BLE001 (reported to the caller, which raises it)
            send.send(("error", traceback.format_exc()))

    process = context.Process(target=work, name="shishi-import-reader", daemon=True)
    process.start()
    send.close()
    try:
        while True:
            try:
                kind, payload = receive.recv()
            except EOFError:
                raise RuntimeError("The import's reader process ended without a word.") from None
            if kind == "batch":
                yield payload
            elif kind == "end":
                reader.report.unmatched = payload
                return
            elif kind == "stop":
                reader.report.unmatched = payload[1]
                raise _Stop(payload[0])
            elif kind == "refused":
                file_name, message, row, column = payload
                raise ImportRefused(file_name, message, row=row, column=column)
            else:
                raise RuntimeError(f"The import's reader process failed:\n{payload}")
    finally:
        receive.close()
        process.join(timeout=5)
        if process.is_alive():
            process.kill()
            process.join()


def _mapping(mapping, headers: list[str], name: str) -> ImportMap:
    if isinstance(mapping, Mapping):
        if "columns" in mapping:  # {"name": …, "columns": {…}, "defaults": {…}}
            given = (mapping.get("name"), mapping["columns"], mapping.get("defaults") or {})
        else:  # {"field": "header", …}
            given = (None, mapping, {})
        try:
            mapping = mapping_from_json(*given)
        except ValidationError as err:
            raise ImportRefused(name, " ".join(err.messages)) from None
    return mapping_for_file(mapping, headers, file_name=name)


def _batches(rows: Iterator) -> Iterator[list]:
    while batch := list(islice(rows, BATCH_SIZE)):
        yield batch


class _Known:
    """Which import keys are stored already, and which came earlier in this
    file. The file's keys are remembered as 64-bit digests (a million of them
    take about 70 MB); the stored ones are looked up a batch at a time, and
    not at all for a source none of whose keys is stored."""

    def __init__(self):
        self.seen: set[int] = set()
        self.prefixes: dict[str, bool] = {}
        connection = connections[router.db_for_read(Appeal)]
        self.connection = connection
        quote = connection.ops.quote_name
        self.table = quote(Appeal._meta.db_table)
        self.column = quote(Appeal._meta.get_field("import_key").column)

    def skip(self, records: list) -> int:
        """Replace by None the records imported before, or earlier in this
        file; return how many."""
        drop = self.skip_keys([r and r["import_key"] for r in records])
        for index in drop:
            records[index] = None
        return len(drop)

    def stored_indexes(self, keys: list[str | None]) -> set[int]:
        """The indexes of the keys imported before (`_RowReader` drops those
        repeated in the file)."""
        stored = self.stored([key for key in keys if key])
        return {i for i, key in enumerate(keys) if key in stored} if stored else set()

    def skip_keys(self, keys: list[str | None]) -> set[int]:
        """The indexes of the keys imported before, or earlier in this file."""
        stored = self.stored([key for key in keys if key])
        drop = set()
        seen, blake2b = self.seen, hashlib.blake2b
        for index, key in enumerate(keys):
            if not key:
                continue
            digest = int.from_bytes(blake2b(key.encode(), digest_size=8).digest())
            if digest in seen or key in stored:
                drop.add(index)
            else:
                seen.add(digest)
        return drop

    def stored(self, keys: list[str]) -> set[str]:
        keys = [key for key in keys if self.source_stored(key.partition(":")[0])]
        found: set[str] = set()
        with self.connection.cursor() as cursor:
            for start in range(0, len(keys), KEYS_PER_QUERY):
                chunk = keys[start : start + KEYS_PER_QUERY]
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT {self.column} FROM {self.table} WHERE {self.column} IN ({marks})",  # noqa: S608 (names from metadata)
                    chunk,
                )
                found.update(key for (key,) in cursor.fetchall())
        return found

    def source_stored(self, source: str) -> bool:
        """Whether any key "<source>:…" is stored (asked once per import:
        later rows of this import are caught by `seen`)."""
        if source not in self.prefixes:
            # A range the index on the key answers (";" follows ":").
            self.prefixes[source] = Appeal.objects.filter(
                import_key__gte=f"{source}:", import_key__lt=f"{source};"
            ).exists()
        return self.prefixes[source]


def _report_progress(progress, rows: int, table: Table) -> None:
    if progress is not None:
        progress(rows, table.fraction_read())


@contextmanager
def _rereadable(source, name: str) -> Iterator[Callable[[], Table]]:
    """A function that opens `source` as a table, as often as needed: a path
    is opened again, a file object rewound (one that cannot be is copied to a
    temporary file first)."""
    if isinstance(source, str | os.PathLike):
        yield lambda: open_table(source, name=name)
        return
    spool = None
    if not _seekable(source):
        spool = tempfile.TemporaryFile()  # noqa: SIM115 (closed below)
        while chunk := source.read(1024**2):
            spool.write(chunk)
        spool.seek(0)
        source = spool
    start = source.tell()

    def reopen() -> Table:
        source.seek(start)
        return open_table(source, name=name)

    try:
        yield reopen
    finally:
        if spool is not None:
            spool.close()


def _seekable(source) -> bool:
    try:
        return bool(source.seekable())
    except (AttributeError, ValueError):
        return False


# One row --------------------------------------------------------------------


class _RowError(Exception):
    def __init__(self, target: str, message: str):
        super().__init__(message)
        self.target, self.message = target, message


class _RowReader:
    """Turns a file's rows into records for `appeals_bulk_create`."""

    def __init__(self, table: Table, mapping: ImportMap, report: ImportReport, *, actor=None):
        self.mapping = mapping
        self.report = report
        index = {header: i for i, header in enumerate(table.headers)}
        # field → ((column index, header), …): the mapped columns the file has.
        self.columns: dict[str, tuple[tuple[int, str], ...]] = {}
        for target, headers in mapping.columns.items():
            found = tuple((index[h], h) for h in headers if h in index)
            if found:
                self.columns[target] = found
        self.at = {target: tuple(i for i, _h in cols) for target, cols in self.columns.items()}
        self.now = timezone.now()
        self.cleaner = AppealCleaner(
            now=self.now, recorded_by_staff=actor is not None and actor.is_staff
        )
        self.seen: set[int] = set()  # the import keys read so far, as digests
        self.keyed = bool(mapping.name) and "source_id" in self.columns
        # What names may match, read once: a worker process cannot ask the database.
        self.category_index = _category_index()
        self.community_index = _community_index()
        self.categories: dict[str, Category | None] = {}
        self.channels: dict[str, str | None] = {}
        self.default_channel = mapping.defaults.get("channel", Channel.WEB)
        default_category = mapping.defaults.get("category")
        if isinstance(default_category, Category):
            self.default_category = category_resolve(default_category)
        else:
            self.default_category = self._category(default_category, "")
        self.default_community = self._community(mapping.defaults.get("community"), "")
        self.default_address = mapping.defaults.get("address", "")
        self.body_headers = len(self.at.get("body", ())) > 1

    # Batches --------------------------------------------------------------

    def cleaned(
        self, batch: list[tuple[int, list]], first: int, table: Table
    ) -> tuple[int, float | None, CleanBatch]:
        """(how many rows repeat an earlier row's import key, the fraction of
        the file read, the other rows checked by the intake rules and ready to
        store); `first` numbers the batch's first row among the file's data
        rows. _Stop at the first bad row. Touches no database (see `_in_worker`)."""
        record = self.record
        try:
            checked = self.cleaner.batch([record(values) for _number, values in batch], first)
        except _RowError:
            raise _Stop from None
        except ValidationError as err:
            # A rule of the intake refused a row (shishi.intake.bulk.RowError).
            raise _Stop(" ".join(err.messages)) from None
        drop = set()
        seen, blake2b = self.seen, hashlib.blake2b
        for index, key in enumerate(checked.import_keys()):
            # 64-bit digests: a million keys take about 70 MB.
            digest = int.from_bytes(blake2b(key.encode(), digest_size=8).digest())
            if digest in seen:
                drop.add(index)
            else:
                seen.add(digest)
        if drop:
            checked = checked.without(drop)
        return len(drop), table.fraction_read(), checked

    def check(self, batch: list[tuple[int, list]]) -> list[dict | None]:
        """Every row checked by the intake rules too; a bad row is reported
        (and None in the list)."""
        report = self.report
        records: list[dict | None] = []
        for number, values in batch:
            report.rows += 1
            try:
                record = self.record(values)
                self.check_record(record)
            except _RowError as err:
                report.add_error(
                    RowError(
                        row=number,
                        column=self.header(err.target),
                        value=cell_text(self.value(err.target, values))[:200],
                        message=err.message,
                    )
                )
                records.append(None)
                continue
            report.valid += 1
            records.append(record)
        return records

    def check_record(self, record: dict) -> None:
        """The intake rules, as storing applies them."""
        try:
            self.cleaner.check(record)
        except ValidationError as err:
            target, messages = next(iter(err.message_dict.items()))
            raise _RowError(target, " ".join(messages)) from None

    # Where an error is ----------------------------------------------------

    def header(self, target: str) -> str:
        for name in _ERROR_SOURCES.get(target, (target,)):
            if name in self.columns:
                return self.columns[name][0][1]
        return ""

    def value(self, target: str, values: list) -> Any:
        for name in _ERROR_SOURCES.get(target, (target,)):
            for i in self.at.get(name, ()):
                if values[i] is not None:
                    return values[i]
        return None

    # One record -----------------------------------------------------------

    def record(self, values: list) -> dict:
        at = self.at
        title = self.joined(values, at.get("title"), TITLE_SEPARATOR)
        if self.body_headers:
            body = "\n".join(
                f"{header}: {text}"
                for i, header in self.columns["body"]
                if (text := clean_text(values[i]))
            )
        else:
            body = self.first(values, at.get("body"), clean_text)
        if not title:
            if not body:
                raise _RowError("title", _("No title and no text: the row says nothing."))
            title = body.split("\n", 1)[0]
            if len(title) > TITLE_FROM_BODY:
                title = title[: TITLE_FROM_BODY - 1] + "…"
        elif len(title) > TITLE_MAX and len(at.get("title", ())) > 1:
            title = title[: TITLE_MAX - 1] + "…"
        category = community = None
        if "category" in at:
            category = self._category(self.first(values, at["category"], clean_line), "category")
        if "community" in at:
            community = self._community(
                self.first(values, at["community"], clean_line), "community"
            )
        record = {
            "title": title,
            "body": body,
            "received_at": self.received_at(values),
            "channel": self.channel(values) if "channel" in at else self.default_channel,
            "category": category or self.default_category,
            "community": community or self.default_community,
            "address": self.joined(values, at.get("address"), ADDRESS_SEPARATOR)
            or self.default_address,
            "submitter_name": self.first(values, at.get("submitter_name"), clean_line),
            "submitter_phone": self.first(values, at.get("submitter_phone"), clean_line),
            "submitter_email": self.first(values, at.get("submitter_email"), clean_line),
            "lat": self.number(values, "lat"),
            "lng": self.number(values, "lng"),
            "answer": self.first(values, at.get("answer"), clean_text),
        }
        record["import_key"] = self.import_key(values, record)
        return record

    @staticmethod
    def first(values: list, columns, clean) -> str:
        if not columns:
            return ""
        if len(columns) == 1:
            value = values[columns[0]]
            return "" if value is None else clean(value)
        for i in columns:
            if values[i] is not None and (text := clean(values[i])):
                return text
        return ""

    @staticmethod
    def joined(values: list, columns, separator: str) -> str:
        if not columns:
            return ""
        if len(columns) == 1:
            value = values[columns[0]]
            return "" if value is None else clean_line(value)
        parts: list[str] = []
        for i in columns:
            if values[i] is not None and (text := clean_line(values[i])) and text not in parts:
                parts.append(text)
        return separator.join(parts)

    def number(self, values: list, target: str):
        for i in self.at.get(target, ()):
            if values[i] is not None:
                try:
                    return parse_decimal(values[i])
                except ValueError as err:
                    raise _RowError(target, str(err)) from None
        return None

    def received_at(self, values: list) -> dt.datetime:
        raw = [values[i] for i in self.at.get("received_at", ()) if values[i] is not None]
        try:
            if len(raw) == 1:
                moment = parse_datetime(raw[0])
            elif len(raw) > 1 and isinstance(raw[1], dt.time):
                # A date column and a time column.
                day, time = parse_datetime(raw[0]), raw[1]
                moment = day and day.replace(hour=time.hour, minute=time.minute, second=time.second)
            elif raw:
                moment = parse_datetime(" ".join(cell_text(v).strip() for v in raw))
            else:
                moment = None
        except ValueError as err:
            raise _RowError("received_at", str(err)) from None
        if moment is None:
            raise _RowError("received_at", _("Empty: every appeal needs the time it came in."))
        return moment

    def channel(self, values: list) -> str:
        text = self.first(values, self.at["channel"], clean_line)
        if not text:
            return self.default_channel
        if text not in self.channels:
            self.channels[text] = channel_from_text(text)
        found = self.channels[text]
        if found is None:
            if text.lower() not in CHANNEL_UNKNOWN:
                self.unmatched("channel", text)
            return self.default_channel
        return found

    def _category(self, text: str | None, target: str) -> Category | None:
        if not text:
            return None
        if text not in self.categories:
            # As `category_resolve` finds it: by code, by name, by id.
            codes, names, ids = self.category_index
            key = str(text).strip()
            self.categories[text] = (
                codes.get(key)
                or names.get(key)
                or (ids.get(int(key)) if key.isascii() and key.isdigit() else None)
            )
        found = self.categories[text]
        if found is None and target:
            self.unmatched(target, text)
        return found

    def _community(self, text: str | None, target: str) -> Unit | None:
        if not text:
            return None
        found = self.community_index.get(text)
        if found is None and target:
            self.unmatched(target, text)
        return found

    def unmatched(self, target: str, text: str) -> None:
        names = self.report.unmatched.setdefault(self.header(target), set())
        if len(names) < UNMATCHED_KEPT:
            names.add(text)

    def import_key(self, values: list, record: dict) -> str:
        source_id = ""
        if "source_id" in self.at:
            parts = [cell_text(values[i]).strip() for i in self.at["source_id"]]
            source_id = "-".join(part for part in parts if part)
            if len(source_id) > SOURCE_ID_MAX:
                raise _RowError(
                    "source_id",
                    _("An id longer than %(max)d characters.") % {"max": SOURCE_ID_MAX},
                )
        if self.keyed and source_id:
            key = f"{self.mapping.name}:{source_id}"
            if len(key) <= IMPORT_KEY_MAX:
                return key
        content = "\x1f".join(
            (
                source_id,
                record["title"],
                record["body"],
                record["received_at"].astimezone(dt.UTC).isoformat(),
                record["address"],
            )
        )
        return "sha1:" + hashlib.sha1(content.encode(), usedforsecurity=False).hexdigest()


def _category_index() -> tuple[dict[str, Category], dict[str, Category], dict[int, Category]]:
    """The active categories by code, by name (the first in `category_resolve`'s
    order) and by id."""
    codes, names, ids = {}, {}, {}
    for category in Category.objects.active().order_by("parent_id", "pk"):
        codes[category.code] = category
        names.setdefault(category.name, category)
        ids[category.pk] = category
    return codes, names, ids


def _community_index() -> dict[str, Unit]:
    """The active communities and villages by name (the first in Unit's order)."""
    index: dict[str, Unit] = {}
    units = Unit.objects.active().filter(kind__in=[UnitKind.COMMUNITY, UnitKind.VILLAGE])
    for unit in units.order_by("kind", "name", "pk"):
        index.setdefault(unit.name, unit)
    return index


_CHANNEL_INDEX: dict[str, str] = {}


def channel_from_text(text: str) -> str | None:
    """A channel's code from what a file says: a code, its label in any of
    our languages, or a usual word for it (电话, online…)."""
    if not _CHANNEL_INDEX:
        index = {}
        for channel, words in CHANNEL_WORDS.items():
            for word in words:
                index[word.lower()] = channel.value
        for language, _name in settings.LANGUAGES:
            with translation.override(language):
                for channel in Channel:
                    index[str(channel.label).lower()] = channel.value
        for channel in Channel:
            index[channel.value] = channel.value
        _CHANNEL_INDEX.update(index)
    return _CHANNEL_INDEX.get(text.strip().lower())
