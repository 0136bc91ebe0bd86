"""Running an import uploaded on the web. A district's file takes seconds to a
minute, so by default it runs in a thread of the web process while the page
shows its progress. Progress goes through the cache, because the import's own
transaction keeps its rows invisible to other connections until it commits.
An import is all-or-nothing: one interrupted by a restart stored nothing and
can simply be started again."""

import datetime as dt
import logging
import threading

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import RUNNING_STATUSES, ImportJob, ImportKind, ImportStatus
from .results import ImportRefused, ImportReport, RowError

logger = logging.getLogger(__name__)

# A job still "running" this long after it started was cut off by a restart.
STALE_AFTER = dt.timedelta(hours=1)


def _progress_key(job_id: int) -> str:
    return f"sheets:import:{job_id}:progress"


def job_progress(job: ImportJob) -> tuple[int, float | None]:
    """(rows done, fraction of the file read) of a running job, as far as known."""
    return cache.get(_progress_key(job.pk)) or (0, None)


def job_is_stale(job: ImportJob, now: dt.datetime | None = None) -> bool:
    return (
        job.is_running
        and job.started_at is not None
        and (now or timezone.now()) - job.started_at > STALE_AFTER
    )


def report_to_data(report: ImportReport) -> dict:
    return {
        "rows": report.rows,
        "valid": report.valid,
        "created": report.created,
        "skipped": report.skipped,
        "committed": report.committed,
        "error_count": report.error_count,
        "errors": [[e.row, e.column, e.value, e.message] for e in report.errors],
        "unmatched": {column: sorted(names) for column, names in report.unmatched.items()},
    }


def report_from_data(file_name: str, data: dict) -> ImportReport:
    return ImportReport(
        file_name=file_name,
        rows=data.get("rows", 0),
        valid=data.get("valid", 0),
        created=data.get("created", 0),
        skipped=data.get("skipped", 0),
        committed=data.get("committed", False),
        error_count=data.get("error_count", 0),
        errors=[RowError(*error) for error in data.get("errors", [])],
        unmatched={column: set(names) for column, names in data.get("unmatched", {}).items()},
    )


def _import(job: ImportJob, source, *, commit: bool, progress) -> ImportReport:
    common = {"name": job.original_name, "actor": job.created_by, "commit": commit}
    if job.kind == ImportKind.APPEALS:
        from .appeals import appeals_import

        return appeals_import(source, mapping=job.mapping, progress=progress, **common)
    from .items import items_import

    return items_import(source, progress=progress, **common)


def _run(job_id: int, *, commit: bool) -> None:
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    key = _progress_key(job_id)

    def progress(rows: int, fraction: float | None) -> None:
        cache.set(key, (rows, fraction), timeout=int(STALE_AFTER.total_seconds()))

    failure = ""
    report = None
    try:
        with job.file.open("rb") as source:
            report = _import(job, source, commit=commit, progress=progress)
    except ImportRefused as err:
        failure = str(err)
    except Exception:
        logger.exception("import job %s failed", job_id)
        failure = _("The import stopped on an unexpected error; nothing was stored.")
    if report is None:
        status = ImportStatus.FAILED
    elif report.committed:
        status = ImportStatus.DONE
    else:
        status = ImportStatus.CHECKED
    ImportJob.objects.filter(pk=job_id).update(
        status=status,
        failure=failure,
        report=report_to_data(report) if report is not None else job.report,
        finished_at=timezone.now(),
    )
    cache.delete(key)


def _run_in_thread(job_id: int, *, commit: bool) -> None:
    try:
        _run(job_id, commit=commit)
    finally:
        # The thread's own database connection; the request's is not touched.
        connection.close()


def job_start(job: ImportJob, *, commit: bool) -> bool:
    """Start checking (commit=False) or importing a job. False when it cannot
    start now: already running, already imported, or importing before a clean
    check. Two clicks start it once: the status moves by a conditional update."""
    if commit and job.report.get("valid", 0) <= job.report.get("skipped", 0):
        return False  # every row was imported before: nothing to do
    if commit:
        allowed = ImportJob.objects.filter(status=ImportStatus.CHECKED, report__error_count=0)
    else:
        allowed = ImportJob.objects.filter(
            status__in=[ImportStatus.UPLOADED, ImportStatus.CHECKED, ImportStatus.FAILED]
        )
    if job_is_stale(job) and not commit:
        allowed = ImportJob.objects.filter(status__in=RUNNING_STATUSES)
    started = allowed.filter(pk=job.pk).update(
        status=ImportStatus.COMMITTING if commit else ImportStatus.CHECKING,
        started_at=timezone.now(),
        finished_at=None,
        failure="",
    )
    if not started:
        return False
    if settings.SHISHI_IMPORT_IN_BACKGROUND:
        threading.Thread(
            target=_run_in_thread, args=(job.pk,), kwargs={"commit": commit}, daemon=True
        ).start()
    else:
        _run(job.pk, commit=commit)
    job.refresh_from_db()
    return True
