"""Creating, checking and revoking API keys.

A key is `<prefix>.<secret>`: the prefix (8 characters, stored in clear) finds
the row, the SHA-256 of the whole key proves it. A plain hash is enough because
the key is 256 random bits, not a password a person chose; it also keeps the
check cheap on every request."""

import hashlib
import hmac
import secrets
import time

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.core.lifecycle import require_text, save_with_history

from .models import NAME_MAX, PREFIX_LENGTH, ApiKey

_PREFIX_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
# How often last_used_at is written for one key (a write per request would cost more).
LAST_USED_EVERY_SECONDS = 60
# How long a key's check is cached (see apikey_check). One second: a revocation
# made in another process (whose cache deletion may not reach this one's memory
# cache, or may race with a check being cached) is effective within it, for
# the price of one indexed query per key and process a second.
CHECK_CACHE_SECONDS = 1


def key_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def _new_prefix() -> str:
    for _attempt in range(20):
        prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
        if not ApiKey.objects.filter(prefix=prefix).exists():
            return prefix
    raise RuntimeError("could not find a free API key prefix")  # 36^8 keys: not in practice


@transaction.atomic
def apikey_create(
    *, name: str, rate_per_minute: int | None = None, actor=None
) -> tuple[ApiKey, str]:
    """Create a key for one client. Returns the key and its secret text, which
    is never stored and cannot be shown again."""
    name = require_text(name, field="name", max_length=NAME_MAX, label=_("Client name"))
    if ApiKey.objects.filter(name=name).exists():
        raise ValidationError(
            {"name": _("There is already an API key named “%(name)s”.") % {"name": name}}
        )
    if rate_per_minute is not None and (
        not isinstance(rate_per_minute, int) or rate_per_minute < 1
    ):
        raise ValidationError(
            {"rate_per_minute": _("The rate limit must be a whole number, 1 or more.")}
        )
    prefix = _new_prefix()
    raw = f"{prefix}.{secrets.token_urlsafe(32)}"
    key = ApiKey(
        name=name,
        prefix=prefix,
        hashed_key=key_hash(raw),
        rate_per_minute=rate_per_minute,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    save_with_history(key, actor=actor, reason="created")
    return key, raw


@transaction.atomic
def apikey_revoke(*, key: ApiKey, actor=None) -> ApiKey:
    """Revoke a key: every later request with it is refused (403)."""
    key = ApiKey.objects.select_for_update().get(pk=key.pk)
    if key.revoked_at is not None:
        raise ValidationError(_("The API key “%(name)s” is revoked already.") % {"name": key.name})
    key.revoked_at = timezone.now()
    save_with_history(key, actor=actor, reason="revoked")
    transaction.on_commit(lambda: apikey_forget(key))
    apikey_forget(key)
    return key


def _cache_key(hashed: str) -> str:
    return f"shishi:apikey:{hashed}"


def apikey_forget(key: ApiKey) -> None:
    """Drop the cached check of `key` (after a revocation or a new limit)."""
    cache.delete(_cache_key(key.hashed_key))


_NOT_LOOKED_UP = object()


def apikey_cache_key(raw: str) -> str | None:
    """Where the check of `raw` is cached; None for text that is no key at all.
    A caller that reads several cache entries at once may read this one with
    them and pass it to apikey_check (one round trip to the cache)."""
    if not raw or len(raw) > 200 or "." not in raw:
        return None
    if len(raw.split(".", 1)[0]) != PREFIX_LENGTH:
        return None
    return _cache_key(key_hash(raw))


def apikey_check(raw: str, *, cached=_NOT_LOOKED_UP) -> ApiKey | None:
    """The usable key whose text is `raw`, or None (unknown, malformed or
    revoked). The answer is cached for CHECK_CACHE_SECONDS: revoking or
    changing a key drops it at once in this process (and in all when the
    cache is shared); every other process notices within that second. `cached`: the entry at apikey_cache_key(raw)
    if the caller read it already (None when absent)."""
    cache_key = apikey_cache_key(raw)
    if cache_key is None:
        return None
    hashed = key_hash(raw)
    if cached is _NOT_LOOKED_UP:
        cached = cache.get(cache_key)
    if cached is None:
        key = (
            ApiKey.objects.usable()
            .only("pk", "name", "prefix", "hashed_key", "rate_per_minute")
            .filter(prefix=raw.split(".", 1)[0])
            .first()
        )
        if key is None or not hmac.compare_digest(key.hashed_key, hashed):
            cached = {}
        else:
            cached = {f: getattr(key, f) for f in ("pk", "name", "prefix", "rate_per_minute")}
        cache.set(cache_key, cached, timeout=CHECK_CACHE_SECONDS)
    if not cached:
        return None
    return ApiKey(hashed_key=hashed, **cached)


# key pk → when this process last wrote its last_used_at (time.monotonic()).
_last_marked: dict[int, float] = {}


def apikey_mark_used(key: ApiKey) -> None:
    """Record that the key was used, at most once a minute per key and server
    process: a write on every request would cost more than the request."""
    now = time.monotonic()
    if now - _last_marked.get(key.pk, -LAST_USED_EVERY_SECONDS) < LAST_USED_EVERY_SECONDS:
        return
    _last_marked[key.pk] = now
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
