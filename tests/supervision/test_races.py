"""Two sweeps (or two workers) at the same moment: nothing is written twice."""

import threading

import pytest
from django.db import connection, connections

from shishi.jobs.runner import claim
from shishi.reminders.models import Reminder
from shishi.supervision import sweeps
from shishi.supervision.models import SupervisionOrder


def race(target, n=2):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database has no second connection to race with")
    start = threading.Barrier(n)
    results = []

    def run():
        try:
            start.wait()
            results.append(target())
        except Exception as err:  # shown by the assertion, not lost in the thread
            results.append(err)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return results


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_simultaneous_sweeps_issue_one_order(overdue_item, erin, carol):
    results = race(sweeps.sweep_escalate_overdue)
    assert not [r for r in results if isinstance(r, Exception)], results
    assert sorted(r["orders_issued"] for r in results) == [0, 1]
    assert SupervisionOrder.objects.count() == 1
    assert SupervisionOrder.history.count() == 1
    assert Reminder.objects.count() == 2


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_claim_a_run_once(db):
    results = race(lambda: claim("sweeps.items", worker=threading.current_thread().name))
    assert sorted(results) == [False, True], results
