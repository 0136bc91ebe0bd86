"""The client's address, for every per-address limit (django-axes' login
lockout, signups, web filings). Behind the TLS proxy of the README every
request comes from the proxy's own address, so all clients would share one
limit (and one lockout): with SHISHI_BEHIND_PROXY the address is the one the
proxy wrote into X-Real-IP. Without it that header is ignored, because a
client could write anything there."""

from django.conf import settings


def client_address(request) -> str | None:
    if settings.SHISHI_BEHIND_PROXY:
        forwarded = request.META.get("HTTP_X_REAL_IP", "").strip()
        if forwarded:
            return forwarded
    return request.META.get("REMOTE_ADDR")
