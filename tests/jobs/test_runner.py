"""The in-process worker: claims (one worker per run), the schedule, failures
retried, --once, and a clean stop on SIGTERM."""

import datetime as dt
import os
import signal
import threading

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.utils import timezone

from shishi.jobs import registry
from shishi.jobs.models import TaskState
from shishi.jobs.runner import Scheduler, claim, execute
from shishi.supervision.models import SupervisionOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def counting(monkeypatch):
    """A task that counts its runs (and fails when told to)."""
    runs = []

    def task(fail=False):
        runs.append(timezone.now())
        if state["fail"]:
            raise RuntimeError("the database went away")
        return {"done": len(runs)}

    state = {"fail": False}
    monkeypatch.setitem(registry.TASKS, "test.count", "tests.jobs.test_runner.TASK")
    monkeypatch.setattr(registry, "function", lambda name: task)
    return runs, state


def test_of_two_workers_only_one_claims_a_run():
    assert claim("sweeps.items", worker="a") is True
    assert claim("sweeps.items", worker="b") is False
    assert claim("sweeps.items", worker="b", force=True) is False  # still held by a
    assert TaskState.objects.get(name="sweeps.items").locked_by == "a"


def test_a_dead_workers_claim_lapses_after_its_lease(settings):
    settings.SHISHI_JOB_LEASE = 600
    assert claim("sweeps.items", worker="a")  # and then a dies without releasing
    with time_machine.travel(timezone.now() + dt.timedelta(seconds=601), tick=False):
        assert claim("sweeps.items", worker="b")


def test_a_run_is_due_again_after_its_interval(counting, settings):
    runs, _state = counting
    settings.SHISHI_JOB_INTERVALS = {"test.count": 900}
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert execute("test.count", worker="w") == {"done": 1, "seconds": 0.0}
        assert execute("test.count", worker="w") is None
    with time_machine.travel(start + dt.timedelta(seconds=899), tick=False):
        assert execute("test.count", worker="w") is None
    with time_machine.travel(start + dt.timedelta(seconds=900), tick=False):
        assert execute("test.count", worker="w")["done"] == 2
    state = TaskState.objects.get(name="test.count")
    assert state.runs == 2 and state.locked_until is None
    assert state.last_result["done"] == 2


def test_a_failed_run_is_recorded_and_tried_again_within_a_minute(counting, settings):
    runs, state = counting
    settings.SHISHI_JOB_INTERVALS = {"test.count": 900}
    state["fail"] = True
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        assert execute("test.count", worker="w") == {"error": True}
    row = TaskState.objects.get(name="test.count")
    assert row.failures == 1 and "the database went away" in row.last_error
    assert row.locked_until is None
    state["fail"] = False
    with time_machine.travel(start + dt.timedelta(seconds=61), tick=False):
        assert execute("test.count", worker="w")["done"] == 2
    assert TaskState.objects.get(name="test.count").last_error == ""


def test_worker_once_runs_every_task(overdue_item, erin, capsys):
    call_command("worker", "--once")
    out = capsys.readouterr().out
    for name in registry.TASKS:
        assert f"{name}: " in out
    assert SupervisionOrder.objects.count() == 1
    assert set(TaskState.objects.values_list("name", flat=True)) == set(registry.TASKS)
    call_command("worker", "--once")  # and again: nothing doubled
    assert SupervisionOrder.objects.count() == 1


def test_worker_refuses_an_unknown_task():
    with pytest.raises(CommandError, match="Unknown task: nope"):
        call_command("worker", "--once", "--task", "nope")


def test_worker_stops_cleanly_on_sigterm(overdue_item, erin):
    # The signal arrives while the loop runs in this (the main) thread.
    timer = threading.Timer(0.5, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        call_command("worker", "--tick", "0.05", "--task", "sweeps.escalate")
    finally:
        timer.cancel()
    assert SupervisionOrder.objects.count() == 1
    state = TaskState.objects.get(name="sweeps.escalate")
    assert state.runs == 1 and state.locked_until is None
    # The handlers are put back.
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_the_scheduler_stops_when_told(counting):
    runs, _state = counting
    scheduler = Scheduler(["test.count"], tick=0.01)
    threading.Timer(0.2, scheduler.stop.set).start()
    scheduler.run_forever()
    assert len(runs) == 1  # due once; the next run is an interval away
