"""/healthz: the database, the cache, the broker and the worker's heartbeat."""

import datetime as dt
from unittest import mock

import pytest
from django.db import OperationalError
from django.utils import timezone

from shishi.jobs.models import TaskState
from shishi.jobs.runner import execute

pytestmark = pytest.mark.django_db


def test_healthy_without_a_worker_where_none_is_needed(client, settings):
    settings.SHISHI_HEALTHZ_WORKER_REQUIRED = False
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["cache"]["ok"]
    assert body["checks"]["broker"] == {"ok": True, "used": False}
    assert body["checks"]["worker"]["ok"] is False  # reported, not required
    assert response["Cache-Control"].startswith("max-age=0")


def test_a_required_worker_must_have_claimed_a_task_lately(client, settings):
    settings.SHISHI_HEALTHZ_WORKER_REQUIRED = True
    assert client.get("/healthz").status_code == 503
    execute("reminders.mail", worker="test-worker", force=True)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["checks"]["worker"]["age_s"] < 60
    TaskState.objects.update(
        last_started_at=timezone.now()
        - dt.timedelta(seconds=settings.SHISHI_HEALTHZ_WORKER_STALE_SECONDS + 1)
    )
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"]["error"] == "TimeoutError"


def test_the_database_down_is_503(client, settings):
    settings.SHISHI_HEALTHZ_WORKER_REQUIRED = False
    with mock.patch("shishi.ops.health.connection.cursor", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == 503
    checks = response.json()["checks"]
    assert checks["database"]["ok"] is False and checks["database"]["error"] == "OperationalError"


def test_an_unreachable_broker_is_503(client, settings):
    settings.SHISHI_HEALTHZ_WORKER_REQUIRED = False
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["broker"]["ok"] is False


def test_a_broken_cache_is_503(client, settings):
    settings.SHISHI_HEALTHZ_WORKER_REQUIRED = False
    with mock.patch("shishi.ops.health.cache.get", return_value=None):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["cache"]["ok"] is False
