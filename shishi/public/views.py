"""The public pages: the ledger (公示), one item, and appeal tracking. Thin: the
reads are in selectors.py, the filters in forms.py."""

from django.conf import settings
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from shishi.intake.models import AppealStatus
from shishi.intake.services import tracking_number_normalise

from . import selectors
from .forms import LedgerFilterForm, TrackForm


@require_safe
def ledger_list(request):
    form = LedgerFilterForm(request.GET)
    filters = form.filters()
    now = timezone.now()
    paginator = Paginator(selectors.public_items(now=now, **filters), settings.SHISHI_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "summary": selectors.public_items_summary(now=now, **filters),
        "filtered": bool(filters),
    }
    return render(request, "public/ledger.html", context)


@require_safe
def item_detail(request, number):
    item = get_object_or_404(selectors.public_item_queryset(), number=number)
    reports = list(selectors.item_reports(item))
    context = {
        "item": item,
        "reports": reports,
        "timeline": selectors.item_timeline(item, reports),
        "appeal_count": selectors.item_appeal_count(item),
        "followups": selectors.item_followup_summary(item),
    }
    return render(request, "public/item.html", context)


@require_safe
def track(request):
    form = TrackForm(request.GET or None)
    if form.is_valid():
        return redirect("public:track_detail", tracking_number=form.cleaned_data["number"])
    return render(request, "public/track.html", {"form": form})


@require_safe
def track_detail(request, tracking_number):
    number = tracking_number_normalise(tracking_number)
    if number != tracking_number:
        return redirect("public:track_detail", tracking_number=number)
    appeal = selectors.appeal_for_tracking(number) if len(number) <= 20 else None
    if appeal is None:
        form = TrackForm(initial={"number": number})
        return render(
            request, "public/track_not_found.html", {"form": form, "number": number}, status=404
        )
    steps = selectors.appeal_steps(appeal)
    context = {
        "appeal": appeal,
        "item": selectors.tracking_item(appeal),
        "steps": steps,
        # The note of a rejected appeal is a reason; of an answered one, the answer.
        "note_is_reason": any(step.status == AppealStatus.REJECTED for step in steps),
        "form": TrackForm(initial={"number": number}),
    }
    return render(request, "public/track_detail.html", context)
