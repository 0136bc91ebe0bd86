"""Fixed-window rate limits counted in Django's cache. With a shared cache
(Redis, SHISHI_CACHE_URL) every server process counts against the same limit;
with the local-memory cache each process counts alone."""

import time
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.utils.connection import ConnectionProxy

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # whole seconds until the window ends


# INCR, and EXPIRE on the first hit of a window, atomically in one round trip;
# with more keys, their values too (a caller's cache reads ride along).
_INCR_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
if #KEYS == 1 then return {n} end
return {n, redis.call('MGET', unpack(KEYS, 2))}
"""
_scripts: dict[int, object] = {}


def count_hit_and_get(key: str, timeout: int, read: Sequence[str] = ()) -> tuple[int, dict]:
    """Add one to the counter `key` (created with `timeout` seconds to live);
    its new value, and the cache entries `read` that exist (as get_many)."""
    # `cache` is a proxy, never a RedisCache itself: ask for the backend it stands for.
    backend = caches[cache._alias] if isinstance(cache, ConnectionProxy) else cache
    if isinstance(backend, RedisCache):
        # One round trip instead of Django's add() + exists() + incr() and a
        # get_many(): this runs on every API request.
        full_keys = [backend.make_and_validate_key(k) for k in (key, *read)]
        client = backend._cache.get_client(full_keys[0], write=True)
        pool = id(client.connection_pool)
        script = _scripts.get(pool)
        if script is None:
            script = _scripts[pool] = client.register_script(_INCR_SCRIPT)
        reply = script(keys=full_keys, args=[timeout])
        loads = backend._cache._serializer.loads
        values = {
            k: loads(v)
            for k, v in zip(read, reply[1] if read else [], strict=True)
            if v is not None
        }
        return int(reply[0]), values
    # add() is atomic and a no-op when the counter exists.
    cache.add(key, 0, timeout=timeout)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        count = 1
    return count, (cache.get_many(read) if read else {})


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout` seconds to live); its new value."""
    return count_hit_and_get(key, timeout)[0]


@dataclass(frozen=True)
class Count:
    """The requests counted in a bucket's current window."""

    hits: int
    retry_after: int  # whole seconds until the window ends

    def over(self, limit: int) -> Refusal | None:
        return Refusal(retry_after=self.retry_after) if self.hits > limit else None


def rate_count(
    bucket: str, *, now: float | None = None, read: Sequence[str] = ()
) -> tuple[Count, dict]:
    """Count one request in `bucket`; the count of the current minute, and the
    cache entries `read` (read in the same round trip to Redis)."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    hits, values = count_hit_and_get(f"shishi:rate:{bucket}:{window}", WINDOW_SECONDS + 5, read)
    retry_after = max(1, int((window + 1) * WINDOW_SECONDS - now + 0.999))
    return Count(hits=hits, retry_after=retry_after), values


def rate_limit_hit(bucket: str, limit: int, *, now: float | None = None) -> Refusal | None:
    """Count one request in `bucket`; a Refusal once more than `limit` requests
    fell in the current minute."""
    return rate_count(bucket, now=now)[0].over(limit)
