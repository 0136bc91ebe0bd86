"""Whatever a client sends, the answer is the spec's document, never a server
error, and the XML is well-formed."""

import xml.etree.ElementTree as ET
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from shishi.intake.models import Appeal

pytestmark = [pytest.mark.django_db, pytest.mark.slow]
BASE = "/open311/v2"
NAMES = [
    "service_request_id",
    "service_code",
    "start_date",
    "end_date",
    "status",
    "page",
    "page_size",
    "jurisdiction_id",
    "lat",
    "long",
    "address_string",
    "address_id",
    "description",
    "email",
    "media_url",
    "attribute[size]",
    "attribute[hazards][]",
    "attribute[depth]",
]
queries = st.lists(st.tuples(st.sampled_from(NAMES), st.text(max_size=30)), max_size=6)
nasty = examples(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(autouse=True)
def no_rate_limit(settings):
    # Every example counts against the same address within one test.
    settings.SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE = 10**6


def check(response, fmt):
    assert response.status_code < 500, response.content[:500]
    assert response.status_code != 429
    if fmt == "xml":
        ET.fromstring(response.content)  # noqa: S314 - our own server's output


@nasty
@given(pairs=queries, fmt=st.sampled_from(["json", "xml"]))
def test_any_query(client, roads, pairs, fmt):
    query = "&".join(f"{quote(k)}={quote(v)}" for k, v in pairs)
    for path in ("requests", "servicerequestupdates", "services"):
        check(client.get(f"{BASE}/{path}.{fmt}?{query}"), fmt)


@nasty
@given(pairs=queries, fmt=st.sampled_from(["json", "xml"]))
def test_any_post(client, roads, client_key, pairs, fmt):
    before = Appeal.objects.count()
    body = "&".join(f"{quote(k)}={quote(v)}" for k, v in [("api_key", client_key), *pairs])
    response = client.post(
        f"{BASE}/requests.{fmt}", body, content_type="application/x-www-form-urlencoded"
    )
    check(response, fmt)
    assert Appeal.objects.count() == before + (1 if response.status_code == 200 else 0)


@nasty
@given(text=st.text(min_size=1, max_size=60), fmt=st.sampled_from(["json", "xml"]))
def test_any_description_comes_back_well_formed(client, post_request, text, fmt):
    response = post_request(fmt, description=text)
    check(response, fmt)
    if response.status_code == 200:
        number = Appeal.objects.latest("pk").tracking_number
        check(client.get(f"{BASE}/requests/{number}.{fmt}"), fmt)
