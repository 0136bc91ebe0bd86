from django.conf import settings
from django.utils.translation import gettext as _

from .render import errors

PREFIX = "/open311/"


class Open311BodyLimitMiddleware:
    """An Open311 request with a body over SHISHI_OPEN311_MAX_BODY_BYTES gets the
    spec's error document (413) instead of the site's HTML page. It sits before
    RequestSizeLimitMiddleware, which refuses huge bodies for the rest of the site."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info.startswith(PREFIX):
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.SHISHI_OPEN311_MAX_BODY_BYTES
            if length > limit:
                fmt = "json" if request.path_info.endswith(".json") else "xml"
                message = _("The request is too large: at most %(max)d bytes.") % {"max": limit}
                return errors(fmt, 413, [message])
        return self.get_response(request)
