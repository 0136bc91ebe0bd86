"""The REST API's views. Reads are generic list and detail views over the same
selectors and QuerySets the web's pages use; each write is one APIView with a
nested InputSerializer that calls one service function (the HackSoft style)."""

from django.http import JsonResponse
from django.utils.translation import gettext as _


def not_found(request, *args, **kwargs):
    """Any other path under /api/: DRF's 404 shape, so clients parse one kind of error."""
    return JsonResponse({"detail": _("Not found.")}, status=404)
