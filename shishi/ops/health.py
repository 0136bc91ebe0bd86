"""What /healthz checks: the database, the cache, the broker (when Celery is
configured) and the worker's heartbeat (its latest claim of a task, from the
jobs' TaskState rows: a worker claims a task every minute or so)."""

import datetime as dt
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone


def _timed(check) -> dict:
    started = time.perf_counter()
    try:
        result = check() or {}
        result = {"ok": True, **result}
    except Exception as error:  # a health check reports, never raises
        result = {"ok": False, "error": type(error).__name__}
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def check_database() -> dict:
    def run():
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()

    return _timed(run)


def check_cache() -> dict:
    def run():
        key, value = f"shishi:healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
        cache.set(key, value, timeout=10)
        try:
            if cache.get(key) != value:
                raise RuntimeError("the cache did not keep a value")
        finally:
            cache.delete(key)

    return _timed(run)


def check_broker() -> dict:
    url = settings.CELERY_BROKER_URL
    if not url:
        return {"ok": True, "used": False}

    def run():
        from kombu import Connection

        with Connection(url, connect_timeout=2) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return {"used": True}

    return _timed(run)


def worker_required() -> bool:
    """A worker must run where work waits for it: with Celery, or with Open311's queue."""
    return settings.SHISHI_HEALTHZ_WORKER_REQUIRED


def check_worker(now: dt.datetime | None = None) -> dict:
    """`shishi worker`: its latest claim of a task (TaskState). Celery workers
    do not write those rows: they are asked over the broker (a ping)."""
    from shishi.jobs.models import TaskState

    now = now or timezone.now()
    stale = settings.SHISHI_HEALTHZ_WORKER_STALE_SECONDS

    def ping():
        from shishi.jobs.celery import app

        replies = app.control.ping(timeout=1.0)
        if not replies:
            raise TimeoutError("no Celery worker answered")
        return {"celery_workers": len(replies)}

    def run():
        seen = (
            TaskState.objects.exclude(last_started_at=None)
            .order_by("-last_started_at")
            .values_list("last_started_at", flat=True)
            .first()
        )
        if seen is None:
            raise LookupError("no worker has run a task yet")
        age = (now - seen).total_seconds()
        if age > stale:
            raise TimeoutError(f"last seen {age:.0f} s ago")
        return {"last_seen": seen.isoformat(), "age_s": round(age)}

    result = _timed(ping if settings.CELERY_BROKER_URL else run)
    result["required"] = worker_required()
    return result


def health() -> tuple[bool, dict]:
    checks = {
        "database": check_database(),
        "cache": check_cache(),
        "broker": check_broker(),
    }
    # The worker's rows are in the database: no point asking when it is down.
    if checks["database"]["ok"]:
        checks["worker"] = check_worker()
    else:
        checks["worker"] = {"ok": False, "error": "database", "required": worker_required()}
    healthy = all(
        check["ok"] for name, check in checks.items() if name != "worker" or check["required"]
    )
    return healthy, checks
