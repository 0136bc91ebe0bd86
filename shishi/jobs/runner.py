"""`shishi worker`'s engine: claim a task's run (a conditional UPDATE), run it,
record the outcome; and a scheduler loop that does so for every task on its
interval until it is told to stop."""

import datetime as dt
import logging
import os
import socket
import threading
import traceback

from django.conf import settings
from django.db import close_old_connections, connection
from django.db.models import F, Q
from django.utils import timezone

from . import registry
from .models import TaskState

log = logging.getLogger("shishi.jobs")


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def claim(name: str, *, worker: str, force: bool = False) -> bool:
    """Take the next run of `name` if it is due (or `force`) and nobody holds it.
    One UPDATE … WHERE: of two workers asking at once, exactly one gets 1 row.
    The run stays due until it finishes: if its worker dies, another takes it
    as soon as the lease ends."""
    now = timezone.now()
    TaskState.objects.bulk_create([TaskState(name=name, next_run_at=now)], ignore_conflicts=True)
    free = TaskState.objects.filter(name=name).filter(
        Q(locked_until__isnull=True) | Q(locked_until__lt=now)
    )
    if not force:
        free = free.filter(next_run_at__lte=now)
    lease = dt.timedelta(seconds=settings.SHISHI_JOB_LEASE)
    return (
        free.update(
            locked_until=now + lease,
            locked_by=worker,
            last_started_at=now,
        )
        == 1
    )


def execute(name: str, *, worker: str | None = None, force: bool = False) -> dict | None:
    """Claim and run one task; None when it was not due or another worker has it.
    A failure is logged and recorded, and the task is tried again after a minute
    (or its interval, if shorter): the tasks are safe to retry."""
    worker = worker or worker_id()
    if not connection.in_atomic_block:
        # A long-lived worker drops connections that broke or aged meanwhile.
        close_old_connections()
    if not claim(name, worker=worker, force=force):
        return None
    mine = TaskState.objects.filter(name=name, locked_by=worker)
    started = timezone.now()
    try:
        result = registry.run(name)
    except Exception:
        log.exception("task %s failed", name)
        retry = min(60, registry.interval(name))
        mine.update(
            locked_until=None,
            last_error=traceback.format_exc()[-5000:],
            failures=F("failures") + 1,
            next_run_at=timezone.now() + dt.timedelta(seconds=retry),
        )
        return {"error": True}
    mine.update(
        locked_until=None,
        # Counted from the start, so the schedule does not drift by the run's length.
        next_run_at=started + dt.timedelta(seconds=registry.interval(name)),
        last_finished_at=timezone.now(),
        last_result=result,
        last_error="",
        runs=F("runs") + 1,
    )
    log.info("task %s: %s", name, " ".join(f"{k}={v}" for k, v in result.items()))
    return result


class Scheduler:
    """Runs every task in `names` on its interval, one at a time, until `stop`
    is set; checks every `tick` seconds what is due."""

    def __init__(self, names=None, *, tick: float = 1.0, stop: threading.Event | None = None):
        self.names = list(names or registry.TASKS)
        self.tick = tick
        self.stop = stop or threading.Event()
        self.worker = worker_id()

    def run_once(self) -> dict[str, dict | None]:
        """Every task once, now, whatever its schedule (unless another worker runs it)."""
        results = {}
        for name in self.names:
            if self.stop.is_set():
                break
            results[name] = execute(name, worker=self.worker, force=True)
            if results[name] is None:
                log.info("task %s: running in another worker, skipped", name)
        return results

    def run_forever(self) -> None:
        log.info("worker %s: %s", self.worker, ", ".join(self.names))
        while not self.stop.is_set():
            for name in self.names:
                if self.stop.is_set():
                    break
                try:
                    execute(name, worker=self.worker)
                except Exception:
                    # The database itself failed (a claim could not be written):
                    # keep the worker alive and try again after a pause.
                    log.exception("task %s could not be claimed", name)
                    self.stop.wait(min(30, self.tick * 30))
            self.stop.wait(self.tick)
        log.info("worker %s stopped", self.worker)
