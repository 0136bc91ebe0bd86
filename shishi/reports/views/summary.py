"""The campaign summary (综述) on the web: the page, and the same document as
an HTML file or a PDF to download."""

from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from shishi.core.views import permission_required

from ..summary import summary_build, summary_bytes, summary_filename, template_in_use

CONTENT_TYPES = {"html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _edit_url(user) -> str | None:
    """Where this user may edit the summary's wording, if they may."""
    template = template_in_use()
    if template and user.has_perm("reports.change_summarytemplate"):
        return reverse("admin:reports_summarytemplate_change", args=[template.pk])
    if not template and user.has_perm("reports.add_summarytemplate"):
        return reverse("admin:reports_summarytemplate_add")
    return None


@require_safe
@permission_required("ledger.view_ledgeritem")
def summary(request):
    fmt = request.GET.get("format", "")
    if fmt and fmt not in CONTENT_TYPES:
        return HttpResponse(
            _("Unknown format “%(format)s”: choose html or pdf.") % {"format": fmt},
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    built = summary_build()
    if not fmt:
        return render(
            request,
            "reports/summary.html",
            {"summary": built, "edit_url": _edit_url(request.user)},
        )
    try:
        data = summary_bytes(built, fmt)
    except ImproperlyConfigured as error:
        return HttpResponse(str(error), status=503, content_type="text/plain; charset=utf-8")
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, summary_filename(built, fmt))
    return response
