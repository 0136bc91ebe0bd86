"""Rate limits: per key, and per address for reads without a key."""

import json

import pytest

from shishi.apikeys.services import apikey_create

pytestmark = pytest.mark.django_db
BASE = "/open311/v2"


def test_a_keys_limit_answers_429_with_retry_after(client, roads):
    _key, raw = apikey_create(name="慢客户端", rate_per_minute=2)
    for _ in range(2):
        assert client.get(f"{BASE}/services.json", {"api_key": raw}).status_code == 200
    response = client.get(f"{BASE}/services.json", {"api_key": raw})
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= 60
    [error] = json.loads(response.content)
    assert error["code"] == 429
    # Another key has its own allowance.
    _other, other = apikey_create(name="另一个")
    assert client.get(f"{BASE}/services.json", {"api_key": other}).status_code == 200


def test_anonymous_reads_are_limited_per_address(client, roads, settings):
    settings.SHISHI_OPEN311_ANONYMOUS_RATE_PER_MINUTE = 3
    for _ in range(3):
        assert client.get(f"{BASE}/requests.json").status_code == 200
    response = client.get(f"{BASE}/requests.xml")
    assert response.status_code == 429
    assert response["Retry-After"]
    assert b"<errors><error><code>429</code>" in response.content
    other = client.get(f"{BASE}/requests.json", REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 200


def test_posts_count_against_the_key(client, roads, post_request):
    from shishi.apikeys.models import ApiKey

    ApiKey.objects.update(rate_per_minute=1)
    assert post_request(**{"attribute[size]": "small"}).status_code == 200
    assert post_request(**{"attribute[size]": "small"}).status_code == 429


def test_with_redis_a_hit_is_one_script_call(monkeypatch):
    """Through the `cache` proxy the settings configure, not only a backend
    handed in: the counter is one INCR script, never add() and incr()."""
    import uuid

    from django.core.cache.backends.redis import RedisCache
    from django.test import override_settings

    from shishi.core.ratelimit import rate_limit_hit

    redis = pytest.importorskip("redis")
    url = "redis://127.0.0.1:6379/15"
    try:
        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")

    def refuse(*args, **kwargs):
        raise AssertionError("three round trips instead of one")

    monkeypatch.setattr(RedisCache, "add", refuse)
    monkeypatch.setattr(RedisCache, "incr", refuse)
    config = {
        "default": {
            "BACKEND": "shishi.core.cache.SharedClientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"shishi-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=config):
        now = 1_800_000_000.0
        assert rate_limit_hit("one-trip", 1, now=now) is None
        assert rate_limit_hit("one-trip", 1, now=now).retry_after == 60


def test_guesses_at_a_keys_prefix_do_not_use_up_its_allowance(client, roads):
    _key, raw = apikey_create(name="慢客户端", rate_per_minute=2)
    guess = raw.split(".", 1)[0] + ".not-the-secret"
    for _ in range(3):
        assert client.get(f"{BASE}/services.json", {"api_key": guess}).status_code == 403
    for _ in range(2):
        assert client.get(f"{BASE}/services.json", {"api_key": raw}).status_code == 200
    assert client.get(f"{BASE}/services.json", {"api_key": raw}).status_code == 429
