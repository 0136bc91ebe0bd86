"""While the database is unreachable (restarting, failed over, its
connections cut), requests answer 503 with Retry-After in their own format:
the REST API its JSON, Open311 the spec's error document, pages a short HTML
note. Django's own answer would be its HTML 500 page, which API clients can
neither parse nor tell from a bug."""

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils.html import escape
from django.utils.translation import gettext as _

from shishi.open311.render import errors as open311_errors

RETRY_AFTER_SECONDS = 5


def database_unavailable_response(request) -> HttpResponse:
    message = _("The database is not available at the moment. Try again in a few seconds.")
    path = request.path_info
    if path.startswith("/open311/"):
        fmt = "json" if path.endswith(".json") else "xml"
        response = open311_errors(fmt, 503, [message])
    elif path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        title = escape(_("Service unavailable"))
        response = HttpResponse(
            f'<!doctype html><meta charset="utf-8"><title>{title}</title>'
            f"<h1>{title}</h1><p>{escape(message)}</p>",
            status=503,
        )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError | InterfaceError):
            return database_unavailable_response(request)
        return None
