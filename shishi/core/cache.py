"""Django's Redis cache, with one client object per connection pool.

Django's backend builds a new `redis.Redis` for every cache operation, and
redis-py's constructor fills a table of some 170 response callbacks each time:
about a millisecond of CPU per operation, more than the operation itself. Every
API request makes a few (rate limit, key check, shared answers), so the
settings use this subclass; a `redis.Redis` is safe to share between threads."""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
