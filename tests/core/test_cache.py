"""The rate limit and the cache backend against a real Redis (skipped without one)."""

import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings

from shishi.core import ratelimit

REDIS_URL = "redis://127.0.0.1:6379/15"


@pytest.fixture
def redis_cache(monkeypatch):
    redis = pytest.importorskip("redis")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    config = {
        "default": {
            "BACKEND": "shishi.core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            # Others may use this Redis: keys of our own, dropped by expiry.
            "KEY_PREFIX": f"shishi-test-{uuid.uuid4().hex}",
        }
    }
    with override_settings(CACHES=config):
        cache = caches.create_connection("default")
        monkeypatch.setattr(ratelimit, "cache", cache)
        yield cache


def test_counts_are_shared_and_expire(redis_cache):
    now = 1_800_000_000.0
    assert ratelimit.rate_limit_hit("k", 2, now=now) is None
    assert ratelimit.rate_limit_hit("k", 2, now=now) is None
    refusal = ratelimit.rate_limit_hit("k", 2, now=now)
    assert refusal is not None and refusal.retry_after == 60
    key = redis_cache.make_and_validate_key(f"shishi:rate:k:{int(now // 60)}")
    client = redis_cache._cache.get_client(write=True)
    assert int(client.get(key)) == 3
    assert 0 < client.ttl(key) <= ratelimit.WINDOW_SECONDS + 5


def test_the_backend_reuses_one_client(redis_cache):
    redis_cache.set("a", {"x": 1}, timeout=5)
    assert redis_cache.get("a") == {"x": 1}
    assert redis_cache._cache.get_client() is redis_cache._cache.get_client(write=True)
