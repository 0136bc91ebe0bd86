"""The background jobs in a thread of the web server's process, so that
`make run` (`shishi serve`) sends reminders, escalates and delivers notices
without a second command. Each run of a task is claimed in the database
(runner.claim), so two servers, or a server and `shishi worker`, never run
the same task's run twice: the second finds it claimed or not yet due."""

import logging
import threading

from django.db import connection

from .models import TaskState
from .runner import Scheduler

log = logging.getLogger("shishi.jobs")


class BackgroundJobs:
    def __init__(self, names=None, *, tick: float = 1.0):
        self.scheduler = Scheduler(names, tick=tick)
        self.thread = threading.Thread(target=self._run, name="shishi-jobs", daemon=True)

    def _run(self) -> None:
        try:
            self.scheduler.run_forever()
        finally:
            connection.close()  # this thread's own connection

    def start(self) -> "BackgroundJobs":
        self.thread.start()
        return self

    def stop(self, timeout: float = 30.0) -> bool:
        """Stop after the task under way; True when the thread has ended. A
        task still running after `timeout` is abandoned with the process: its
        claim is released, so the next start need not wait for the lease."""
        self.scheduler.stop.set()
        self.thread.join(timeout)
        if self.thread.is_alive():
            log.warning("background jobs still busy after %.0f s: leaving them", timeout)
            TaskState.objects.filter(locked_by=self.scheduler.worker).update(locked_until=None)
            return False
        return True

    def __enter__(self) -> "BackgroundJobs":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
