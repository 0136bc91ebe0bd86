"""The jobs in the web server's process (`shishi serve`, hence `make run`):
they run, stop cleanly, and two servers never run one task's run twice."""

import os
import signal
import threading
import time

import pytest
from django.core.management import call_command

from shishi.jobs import registry
from shishi.jobs.background import BackgroundJobs
from shishi.jobs.models import TaskState

# Threads use their own connections: the data must be committed.
# serialized_rollback: the emptied tables get back what the migrations made
# (and the next transactional test finds them as it expects).
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def counting(monkeypatch, settings):
    """One task that counts its runs, due once an hour."""
    runs = []
    lock = threading.Lock()

    def task():
        with lock:
            runs.append(threading.current_thread().name)
        time.sleep(0.05)  # long enough for a second scheduler to try meanwhile
        return {"done": len(runs)}

    monkeypatch.setattr(registry, "TASKS", {"test.count": "tests.jobs.TASK"})
    monkeypatch.setattr(registry, "function", lambda name: task)
    settings.SHISHI_JOB_INTERVALS = {"test.count": 3600}
    return runs


def wait_for(condition, seconds=10.0):
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out")
        time.sleep(0.02)


def test_the_jobs_run_in_a_thread_and_stop_when_told(counting):
    jobs = BackgroundJobs(tick=0.02).start()
    wait_for(lambda: counting)
    assert jobs.stop(timeout=5) is True
    assert not jobs.thread.is_alive()
    state = TaskState.objects.get(name="test.count")
    assert state.runs == 1 and state.locked_until is None


def test_two_server_processes_run_each_due_run_once(counting):
    # Two servers' schedulers, as two processes would have: distinct workers.
    first, second = BackgroundJobs(tick=0.01), BackgroundJobs(tick=0.01)
    second.scheduler.worker = "other-host:1"
    first.start()
    second.start()
    try:
        wait_for(lambda: counting)
        time.sleep(0.5)  # both keep looking at the schedule
    finally:
        assert first.stop(timeout=5) and second.stop(timeout=5)
    assert len(counting) == 1
    assert TaskState.objects.get(name="test.count").runs == 1


def test_a_task_still_busy_at_stop_releases_its_claim(monkeypatch, settings):
    started, release = threading.Event(), threading.Event()

    def slow():
        started.set()
        release.wait(10)
        return {}

    monkeypatch.setattr(registry, "TASKS", {"test.slow": "tests.jobs.SLOW"})
    monkeypatch.setattr(registry, "function", lambda name: slow)
    jobs = BackgroundJobs(tick=0.01).start()
    try:
        assert started.wait(10)
        assert jobs.stop(timeout=0.1) is False
        assert TaskState.objects.get(name="test.slow").locked_until is None
    finally:
        release.set()
        jobs.thread.join(10)


@pytest.fixture
def fake_waitress(monkeypatch):
    """waitress.serve stands in: it returns when the server is stopped."""
    calls = []

    def serve(app, **kwargs):
        calls.append(kwargs)
        serve.until()

    serve.until = lambda: None
    monkeypatch.setattr("waitress.serve", serve)
    return serve, calls


def test_serve_runs_the_jobs_and_stops_them_on_ctrl_c(counting, fake_waitress, capsys):
    serve, calls = fake_waitress

    def until():
        wait_for(lambda: counting)
        raise KeyboardInterrupt  # Ctrl+C while serving

    serve.until = until
    before = {t.name for t in threading.enumerate()}
    call_command("serve", "8102")
    out = capsys.readouterr().out
    assert "Background jobs run in this process" in out
    assert calls[0]["port"] == 8102 and len(counting) == 1
    # Nothing left running, and SIGTERM's handler is put back.
    assert "shishi-jobs" not in {t.name for t in threading.enumerate()} - before
    assert signal.getsignal(signal.SIGTERM) is signal.SIG_DFL


def test_serve_stops_cleanly_on_sigterm(counting, fake_waitress):
    serve, _calls = fake_waitress

    def until():
        wait_for(lambda: counting)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # interrupted by the handler before this ends
        raise AssertionError("SIGTERM did not stop the server")

    serve.until = until
    call_command("serve", "8102")
    assert TaskState.objects.get(name="test.count").locked_until is None


def test_serve_without_jobs(counting, fake_waitress, capsys, settings):
    call_command("serve", "8102", "--no-jobs")
    settings.SHISHI_SERVE_JOBS = False
    call_command("serve", "8102")
    assert "Background jobs" not in capsys.readouterr().out
    assert counting == [] and not TaskState.objects.exists()
