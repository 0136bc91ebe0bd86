"""The Celery leg: the same tasks through a real Celery worker and Redis. Skipped,
saying why, when no Redis answers at 127.0.0.1:6379; the in-process leg
(test_runner.py) always runs."""

import pytest

from shishi.jobs import registry
from shishi.supervision.models import SupervisionOrder

REDIS_URL = "redis://127.0.0.1:6379/9"


def redis_or_skip():
    import redis

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
        client.ping()
    except Exception as error:  # any failure to reach it means: skip, and say why
        pytest.skip(f"Redis not reachable at {REDIS_URL}: {error}")
    client.flushdb()
    return client


def test_every_task_is_a_celery_task_on_the_workers_schedule():
    from shishi.jobs.celery import app

    for name in registry.TASKS:
        task = app.tasks[f"shishi.{name}"]
        assert task.acks_late is True
        assert task.max_retries == 5
        assert app.conf.beat_schedule[name]["schedule"] == registry.interval(name)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_sweep_runs_on_a_real_celery_worker(overdue_item, erin):
    # transaction=True: the worker's thread reads the database through its own
    # connection, so the item must be committed. serialized_rollback puts back
    # what the migrations made (the role groups) once the tables are emptied.
    redis_or_skip()
    from celery.contrib.testing.worker import start_worker

    from shishi.jobs.celery import app

    app.conf.update(broker_url=REDIS_URL, result_backend=REDIS_URL, task_always_eager=False)
    with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
        result = app.tasks["shishi.sweeps.escalate"].delay()
        first = result.get(timeout=60)
        again = app.tasks["shishi.sweeps.escalate"].delay().get(timeout=60)
    assert first["orders_issued"] == 1
    assert again["orders_issued"] == 0
    assert SupervisionOrder.objects.count() == 1
