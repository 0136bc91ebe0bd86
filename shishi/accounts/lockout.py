"""How many failed logins lock out (django-axes' AXES_FAILURE_LIMIT).

axes counts each of AXES_LOCKOUT_PARAMETERS on its own and compares the
largest count with one limit. Two limits are wanted: a username from one
address is locked after a few failures (someone guessing one password), and
an address after more, whatever usernames it tries (someone guessing across
accounts), without locking a whole office behind one address after five typos.
So the limit is the pair's while the pair has reached it, else the address's."""

from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum


def failure_limit(request, credentials) -> int:
    pair_limit = settings.SHISHI_LOGIN_FAILURE_LIMIT
    address = getattr(request, "axes_ip_address", None)
    username = get_client_username(request, credentials)
    pair_failures = (
        AccessAttempt.objects.filter(username=username, ip_address=address).aggregate(
            n=Sum("failures_since_start")
        )["n"]
        or 0
    )
    if pair_failures >= pair_limit:
        return pair_limit
    return max(settings.SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT, pair_limit)
