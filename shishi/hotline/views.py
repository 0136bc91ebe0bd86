"""话务受理: one page to record a call, a walk-in or a letter, with a category
suggestion and a duplicate check as the clerk types. Thin: the suggestions
are the suggestions app's, the writing is in services.py."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from shishi.core.views import add_service_errors, permission_required
from shishi.intake.models import Appeal
from shishi.suggestions import selectors as suggestions

from .forms import HotlineForm
from .services import hotline_appeal_record, title_from_text

TRIAGE = "intake.triage_appeal"
SUGGEST_MIN_CHARS = 4  # fewer characters suggest nothing worth a glance


def _suggestions_for(data) -> suggestions.AppealSuggestions | None:
    """Suggestions for the text typed so far (an unsaved appeal: nothing is stored)."""
    body = (data.get("body") or "")[:2000]
    title = (data.get("title") or "")[:200] or title_from_text(body)
    if len((title + body).strip()) < SUGGEST_MIN_CHARS:
        return None
    return suggestions.for_appeal(Appeal(title=title, body=body))


def _render(request, form, suggested, status=200):
    return render(
        request,
        "hotline/record.html",
        {"form": form, "suggestions": suggested},
        status=status,
    )


@permission_required(TRIAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def hotline(request):
    if request.method != "POST":
        return _render(request, HotlineForm(), None)
    suggested = _suggestions_for(request.POST)
    if "check" in request.POST:
        # Without JavaScript: show the suggestions and propose the category,
        # stores nothing; the clerk confirms by recording.
        data = request.POST.copy()
        if not data.get("category") and suggested and suggested.category:
            data["category"] = str(suggested.category.category.pk)
        return _render(request, HotlineForm(data), suggested)
    form = HotlineForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            appeal = hotline_appeal_record(
                actor=request.user,
                channel=data["channel"],
                body=data["body"],
                title=data["title"],
                submitter_name=data["submitter_name"],
                submitter_phone=data["submitter_phone"],
                address=data["address"],
                community=data["community"],
                category=data["category"],
                dispatch_to=data.get("dispatch_to"),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            add_service_errors(form, error)
            return _render(request, form, suggested, status=403)
        else:
            url = reverse("triage:appeal", args=[appeal.tracking_number])
            messages.success(
                request,
                format_html(
                    _('Recorded as <a href="{url}">{number}</a>: read the number to the caller.'),
                    url=url,
                    number=appeal.tracking_number,
                ),
            )
            return redirect("hotline:record")
    return _render(request, form, suggested)


@permission_required(TRIAGE)
@require_POST
def suggest(request):
    """The suggestions block alone, for htmx as the clerk types."""
    context = {
        "suggestions": _suggestions_for(request.POST),
        # Only htmx asks with this header: the page has JavaScript to adopt with.
        "adoptable": request.headers.get("HX-Request") == "true",
    }
    return render(request, "hotline/_suggestions.html", context)
