"""How many queries each hot endpoint makes, once the process has read the
key and the service definition: a bound, so a change that adds one per
request shows here before it shows in the load test."""

import json

import pytest

from shishi.intake.models import Appeal

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


@pytest.fixture
def warm(settings, post_request):
    """Keys, definitions and GET answers reused for a few seconds, as in production."""
    settings.SHISHI_OPEN311_CACHE_SECONDS = 5
    assert post_request().status_code == 200  # reads the key and the definition


def test_a_post_filing_at_once_makes_few_queries(warm, post_request, django_assert_max_num_queries):
    # The collision check of the tracking number, the appeal, its history
    # row, the ServiceRequest, the answers, and the transaction's own statements.
    with django_assert_max_num_queries(9):
        assert post_request().status_code == 200
    assert Appeal.objects.count() == 2


def test_a_queued_post_is_one_insert(warm, post_request, settings, django_assert_num_queries):
    settings.SHISHI_OPEN311_QUEUE = True
    with django_assert_num_queries(1):
        assert post_request().status_code == 200


def test_a_list_is_one_query_then_shared(warm, client, client_key, django_assert_num_queries):
    url = f"{BASE}/requests.json?api_key={client_key}"
    with django_assert_num_queries(1):
        assert client.get(url).status_code == 200
    with django_assert_num_queries(0):
        assert client.get(url).status_code == 200


def test_a_token_and_a_request_are_one_query_each(
    warm, client, client_key, post_request, django_assert_num_queries
):
    [row] = json.loads(post_request().content)
    with django_assert_num_queries(1):
        assert client.get(f"{BASE}/tokens/{row['token']}.json").status_code == 200
    with django_assert_num_queries(1):
        number = row["service_request_id"]
        assert client.get(f"{BASE}/requests/{number}.json").status_code == 200
