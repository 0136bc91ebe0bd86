"""GET lists are shared for SHISHI_OPEN311_CACHE_SECONDS; checks still apply."""

import json

import pytest

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_revoke
from shishi.intake.services import appeal_submit

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture(autouse=True)
def shared_answers(settings):
    settings.SHISHI_OPEN311_CACHE_SECONDS = 5


def numbers(response):
    return [r["service_request_id"] for r in json.loads(response.content)]


def test_a_list_is_shared_for_a_few_seconds_a_single_request_never(client, roads):
    first = client.get(f"{BASE}/requests.json")
    assert first["Cache-Control"] == "max-age=5"
    appeal = appeal_submit(title="新诉求", channel="web", category=roads)
    assert numbers(client.get(f"{BASE}/requests.json")) == []
    # An empty parameter is the same query; another query is answered afresh.
    assert numbers(client.get(f"{BASE}/requests.json?status=")) == []
    assert numbers(client.get(f"{BASE}/requests.json?status=open")) == [appeal.tracking_number]
    assert numbers(client.get(f"{BASE}/requests/{appeal.tracking_number}.json")) == [
        appeal.tracking_number
    ]


def test_a_shared_answer_still_checks_the_key_and_the_format(client, roads, client_key):
    assert client.get(f"{BASE}/requests.json", {"api_key": client_key}).status_code == 200
    wrong = client_key[:-2] + "xx"
    assert client.get(f"{BASE}/requests.json", {"api_key": wrong}).status_code == 403
    apikey_revoke(key=ApiKey.objects.get())
    assert client.get(f"{BASE}/requests.json", {"api_key": client_key}).status_code == 403
    xml = client.get(f"{BASE}/requests.xml")
    assert xml["Content-Type"] == "text/xml; charset=utf-8"


def test_errors_are_not_shared(client, roads):
    assert client.get(f"{BASE}/services/later.json").status_code == 404
    from shishi.categories.services import category_create

    category_create(name="以后", code="later")
    assert client.get(f"{BASE}/services/later.json").status_code == 200


def test_a_process_reuses_a_service_definition_for_a_few_seconds(post_request, roads):
    from shishi.open311.models import ServiceAttribute

    assert post_request(**{"attribute[size]": "small"}).status_code == 200
    ServiceAttribute.objects.filter(code="size").update(required=False)
    # Within the few seconds the old definition (size required) still applies…
    assert post_request(**{"attribute[size]": None}).status_code == 400
    from shishi.open311 import services

    services._services.clear()  # …and after them the new one.
    assert post_request(**{"attribute[size]": None}).status_code == 200
