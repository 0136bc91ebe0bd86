from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .health import health


@never_cache
@require_safe
def healthz(request):
    """For load balancers and monitoring: 200 when every part the site needs
    answers, else 503; the JSON says which. No login: it names no data."""
    healthy, checks = health()
    return JsonResponse(
        {"status": "ok" if healthy else "fail", "checks": checks}, status=200 if healthy else 503
    )
