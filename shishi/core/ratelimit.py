"""Fixed-window rate limits counted in Django's cache. With a shared cache
(Redis, SHISHI_CACHE_URL) every server process counts against the same limit;
with the local-memory cache each process counts alone."""

import time
from dataclasses import dataclass

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Refusal:
    retry_after: int  # whole seconds until the window ends


# INCR, and EXPIRE on the first hit of a window, atomically in one round trip.
_INCR_SCRIPT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""
_scripts: dict[int, object] = {}


def count_hit(key: str, timeout: int) -> int:
    """Add one to the counter `key` (created with `timeout` seconds to live); its new value."""
    if isinstance(cache, RedisCache):
        # One round trip instead of Django's add() + exists() + incr(): this
        # runs on every API request.
        full_key = cache.make_and_validate_key(key)
        client = cache._cache.get_client(full_key, write=True)
        pool = id(client.connection_pool)
        script = _scripts.get(pool)
        if script is None:
            script = _scripts[pool] = client.register_script(_INCR_SCRIPT)
        return int(script(keys=[full_key], args=[timeout]))
    # add() is atomic and a no-op when the counter exists.
    cache.add(key, 0, timeout=timeout)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=timeout)
        return 1


def rate_limit_hit(bucket: str, limit: int, *, now: float | None = None) -> Refusal | None:
    """Count one request in `bucket`; a Refusal once more than `limit` requests
    fell in the current minute."""
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    count = count_hit(f"shishi:rate:{bucket}:{window}", WINDOW_SECONDS + 5)
    if count > limit:
        retry_after = (window + 1) * WINDOW_SECONDS - now
        return Refusal(retry_after=max(1, int(retry_after + 0.999)))
    return None
