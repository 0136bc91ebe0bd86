"""Queued mode (SHISHI_OPEN311_QUEUE): a POST is checked, kept and answered
with a token; the drain task files the queue through intake's bulk path."""

import json
import threading
import xml.etree.ElementTree as ET

import pytest
from django.db import connection

from shishi.categories.models import Category
from shishi.intake.models import Appeal
from shishi.jobs import registry
from shishi.open311 import services
from shishi.open311.models import AttributeAnswer, QueuedRequest, ServiceRequest
from shishi.open311.selectors import service_notice
from shishi.open311.services import requests_drain

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def queued(settings):
    settings.SHISHI_OPEN311_QUEUE = True


def js(response):
    assert response.status_code == 200, response.content
    return json.loads(response.content.decode("utf-8"))


def queue(post_request, count: int, **fields) -> list[str]:
    """POST `count` requests; their tokens."""
    return [js(post_request(**fields))[0]["token"] for _ in range(count)]


def test_a_queued_post_answers_a_token_that_resolves_once_drained(client, post_request, roads):
    response = post_request(
        **{"attribute[hazards][]": ["traffic", "night"], "media_url": "https://img.example/1.jpg"},
        address_id="POI-77",
        account_id="u-9",
    )
    [row] = js(response)
    assert "service_request_id" not in row
    assert row["account_id"] == "u-9"
    assert row["service_notice"]  # the deadline the appeal will have
    token = row["token"]
    assert not Appeal.objects.exists()
    queued = QueuedRequest.objects.get()
    # Until the drain files it, the token has no service_request_id yet.
    assert js(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": None, "token": token}
    ]

    assert requests_drain() == {"stored": 1, "refused": 0}

    appeal = Appeal.objects.get()
    assert not QueuedRequest.objects.exists()
    assert js(client.get(f"{BASE}/tokens/{token}.json")) == [
        {"service_request_id": appeal.tracking_number, "token": token}
    ]
    # The same appeal the synchronous path files.
    assert appeal.channel == "api"
    assert appeal.category == roads
    assert appeal.title == appeal.body == "建设路与桐柏路交叉口有一个大坑"
    assert appeal.submitter_name == "张三"
    assert appeal.submitter_phone == "13800000000"
    assert appeal.submitter_email == "zhang@example.com"
    assert str(appeal.lat) == "34.747000" and str(appeal.lng) == "113.625000"
    assert appeal.received_at == queued.received_at
    assert appeal.status == "received" and appeal.respond_due is not None
    assert row["service_notice"] == service_notice(appeal.status, appeal.respond_due)
    assert appeal.history.get().history_change_reason == "received"
    request = appeal.open311
    assert (request.token, request.address_id, request.account_id) == (token, "POI-77", "u-9")
    assert request.media_url == "https://img.example/1.jpg"
    assert sorted(AttributeAnswer.objects.values_list("appeal_id", "attribute__code", "value")) == [
        (appeal.pk, "hazards", "night"),
        (appeal.pk, "hazards", "traffic"),
        (appeal.pk, "size", "large"),
    ]
    # The appeal is public like any other.
    [public] = js(client.get(f"{BASE}/requests/{appeal.tracking_number}.json"))
    assert public["status"] == "open"


def test_a_queued_post_in_xml(client, post_request):
    response = post_request("xml", address_string="建设路1号", lat="", long="")
    tree = ET.fromstring(response.content)  # noqa: S314 - our own server's output
    assert tree.tag == "service_requests"
    token = tree.find("request").findtext("token")
    assert token and tree.find("request").find("service_request_id") is None
    pending = ET.fromstring(client.get(f"{BASE}/tokens/{token}.xml").content)  # noqa: S314
    assert pending.find("request").findtext("service_request_id") == ""
    requests_drain()
    done = ET.fromstring(client.get(f"{BASE}/tokens/{token}.xml").content)  # noqa: S314
    assert (
        done.find("request").findtext("service_request_id") == Appeal.objects.get().tracking_number
    )
    assert Appeal.objects.get().address == "建设路1号"


def test_draining_twice_files_nothing_twice(post_request):
    tokens = queue(post_request, 3)
    assert requests_drain() == {"stored": 3, "refused": 0}
    assert requests_drain() == {"stored": 0, "refused": 0}
    assert Appeal.objects.count() == 3
    assert sorted(ServiceRequest.objects.values_list("token", flat=True)) == sorted(tokens)


def test_the_drain_works_in_batches_oldest_first(post_request):
    tokens = queue(post_request, 5)
    assert requests_drain(batch_size=2) == {"stored": 5, "refused": 0}
    by_appeal = ServiceRequest.objects.order_by("appeal_id").values_list("token", flat=True)
    assert list(by_appeal) == tokens
    numbers = Appeal.objects.values_list("tracking_number", flat=True)
    assert len(set(numbers)) == 5


def test_a_request_intake_refuses_at_the_drain_stays_with_its_reason(client, post_request, roads):
    (refused,) = queue(post_request, 1)
    # A category that goes out of use after the request was accepted.
    Category.objects.filter(pk=roads.pk).update(is_active=False)
    assert requests_drain() == {"stored": 0, "refused": 1}
    row = QueuedRequest.objects.get(token=refused)
    assert "service_code" in row.error
    response = client.get(f"{BASE}/tokens/{refused}.json")
    assert response.status_code == 400
    assert "service_code" in json.loads(response.content)[0]["description"]
    # The others still go through; the refused one is not tried again.
    Category.objects.filter(pk=roads.pk).update(is_active=True)
    services._services.clear()
    queue(post_request, 2)
    assert requests_drain() == {"stored": 2, "refused": 0}
    assert QueuedRequest.objects.get().token == refused


def test_the_drain_is_a_background_task(post_request):
    queue(post_request, 2)
    result = registry.run("open311.drain")
    assert (result["stored"], result["refused"]) == (2, 0)
    assert Appeal.objects.count() == 2


def test_without_queued_mode_a_post_files_at_once(post_request, settings):
    settings.SHISHI_OPEN311_QUEUE = False
    [row] = js(post_request())
    assert row["service_request_id"] == Appeal.objects.get().tracking_number
    assert not QueuedRequest.objects.exists()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_drains_at_once_file_each_request_once(post_request, monkeypatch):
    tokens = queue(post_request, 4)
    first_holds_its_batch = threading.Event()
    second_done = threading.Event()
    store = services.appeals_bulk_store

    def slow_store(*args, **kwargs):
        # The first drain keeps its batch locked until the second has tried
        # (PostgreSQL: it skips the locked rows) or for a second (SQLite: the
        # second waits for the write lock).
        if threading.current_thread().name == "first":
            first_holds_its_batch.set()
            second_done.wait(timeout=1)
        return store(*args, **kwargs)

    monkeypatch.setattr(services, "appeals_bulk_store", slow_store)
    results, failures = {}, []

    def drain(name):
        try:
            results[name] = requests_drain()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            failures.append(error)
        finally:
            if name == "second":
                second_done.set()
            connection.close()

    first = threading.Thread(target=drain, args=["first"], name="first")
    first.start()
    assert first_holds_its_batch.wait(timeout=10)
    second = threading.Thread(target=drain, args=["second"], name="second")
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not failures
    # The second found every request taken (locked, then gone), none twice.
    assert results == {
        "first": {"stored": 4, "refused": 0},
        "second": {"stored": 0, "refused": 0},
    }
    assert Appeal.objects.count() == 4
    assert sorted(ServiceRequest.objects.values_list("token", flat=True)) == sorted(tokens)
    assert not QueuedRequest.objects.exists()


def test_a_request_answering_a_deleted_attribute_is_kept_not_filed(client, post_request, roads):
    refused, kept = queue(post_request, 2, **{"attribute[hazards][]": "traffic"})
    hazards = roads.open311_attributes.get(code="hazards")
    # Only the first answers it now: the other's answer goes before it is deleted.
    row = QueuedRequest.objects.get(token=kept)
    row.payload["answers"] = [a for a in row.payload["answers"] if a[0] != hazards.pk]
    row.save()
    hazards.values.all().delete()
    hazards.delete()
    assert requests_drain() == {"stored": 1, "refused": 1}
    assert ServiceRequest.objects.get().token == kept
    assert QueuedRequest.objects.get(token=refused).error
    assert client.get(f"{BASE}/tokens/{refused}.json").status_code == 400
