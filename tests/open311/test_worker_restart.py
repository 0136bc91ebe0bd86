"""Issue 18: a worker dies in the middle of the queue's drain (killed after
its first batch committed, its claim still held); after the lease another
worker drains the rest. Every queued request becomes exactly one appeal, with
one history record of its creation: nothing lost, nothing twice."""

import datetime as dt
import json
from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from shishi.intake.models import Appeal
from shishi.jobs.models import TaskState
from shishi.jobs.runner import execute
from shishi.open311 import services
from shishi.open311.models import QueuedRequest, ServiceRequest

pytestmark = pytest.mark.django_db


class Killed(BaseException):
    """What a SIGKILL looks like from inside: nothing after it runs."""


def test_a_worker_killed_mid_drain_loses_and_doubles_nothing(post_request, settings):
    settings.SHISHI_OPEN311_QUEUE = True
    tokens = [json.loads(post_request().content)[0]["token"] for _ in range(12)]
    assert QueuedRequest.objects.count() == 12

    real_batch = services._drain_batch
    batches = []

    def dies_after_the_first_batch(limit):
        if batches:
            raise Killed
        batches.append(real_batch(limit))
        return batches[-1]

    with (
        # Batches of 5, so 12 requests take three.
        mock.patch.dict(services.requests_drain.__kwdefaults__, {"batch_size": 5}),
        mock.patch.object(services, "_drain_batch", dies_after_the_first_batch),
        pytest.raises(Killed),
    ):
        execute("open311.drain", worker="worker-a", force=True)
    assert Appeal.objects.count() == 5 and QueuedRequest.objects.count() == 7
    state = TaskState.objects.get(name="open311.drain")
    assert state.locked_by == "worker-a" and state.locked_until > timezone.now()

    # Restarted at once, the new worker finds the run still held by the dead one.
    assert execute("open311.drain", worker="worker-b", force=True) is None
    later = timezone.now() + dt.timedelta(seconds=settings.SHISHI_JOB_LEASE + 1)
    with time_machine.travel(later, tick=False):
        result = execute("open311.drain", worker="worker-b", force=True)
    assert (result["stored"], result["refused"]) == (7, 0)

    assert not QueuedRequest.objects.exists()
    appeals = list(Appeal.objects.all())
    assert len(appeals) == 12
    assert ServiceRequest.objects.count() == 12
    assert sorted(ServiceRequest.objects.values_list("token", flat=True)) == sorted(tokens)
    for appeal in appeals:
        assert appeal.history.filter(history_type="+").count() == 1
