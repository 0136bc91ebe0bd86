"""The public pages: the ledger (公示), one item, appeal tracking, filing an
appeal and rating its result, and the private photos of an appeal. Thin: the
reads are in selectors.py, the forms in forms.py, the writes in the services."""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shishi.core.ratelimit import count_hit
from shishi.core.uploads import private_file_response
from shishi.core.views import add_service_errors
from shishi.intake.models import Appeal, AppealStatus, Channel
from shishi.intake.rating_keys import may_rate, rating_key_valid
from shishi.intake.services import appeal_submit, tracking_number_normalise
from shishi.ledger.services import followup_submit_by_appellant
from shishi.workorders.services import order_followup_by_appellant

from . import selectors
from .forms import AppealForm, LedgerFilterForm, RatingForm, TrackForm

# The session key that tells the tracking page an appeal was just filed.
_JUST_FILED = "shishi_just_filed"


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
    return render(
        request, "public/track.html", {"form": form}, status=400 if form.is_bound else 200
    )


def _track_page(
    request, appeal: Appeal, *, rating_form: RatingForm | None = None, key: str = "", status=200
):
    steps = selectors.appeal_steps(appeal)
    item = selectors.tracking_item(appeal)
    context = {
        "appeal": appeal,
        "item": item,
        "steps": steps,
        # The note of a rejected appeal is a reason; of an answered one, the answer.
        "note_is_reason": any(step.status == AppealStatus.REJECTED for step in steps),
        "form": TrackForm(initial={"number": appeal.tracking_number}),
        "rating": selectors.rating_state(
            appeal, item, may_rate=may_rate(appeal, actor=request.user, key=key)
        ),
        "rating_form": rating_form or RatingForm(initial={"key": key}),
        # Only the submitter's own account sees the text and the photos.
        "own": selectors.submitters_view(appeal.tracking_number, request.user),
        # Set once, right after filing, to show the number prominently.
        "just_filed": request.session.pop(_JUST_FILED, None) == appeal.tracking_number,
    }
    return render(request, "public/track_detail.html", context, status=status)


def _tracked_appeal(tracking_number) -> Appeal:
    number = tracking_number_normalise(tracking_number)
    appeal = selectors.appeal_for_tracking(number) if len(number) <= 20 else None
    if appeal is None:
        raise Http404
    return appeal


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
    return _track_page(request, appeal)


@require_http_methods(["GET", "HEAD", "POST"])
def track_rate(request, tracking_number):
    """回访: the appellant rates the result, through the link in their notice
    (it carries the appeal's key) or signed in to their own account. Anyone who
    has only the public tracking number is refused and nothing is stored."""
    appeal = _tracked_appeal(tracking_number)
    if request.method != "POST":
        key = request.GET.get("key", "")
        if key and not rating_key_valid(appeal, key):
            messages.error(
                request,
                _("This rating link is not valid. Please use the link in the notice we sent you."),
            )
            return _track_page(request, appeal, status=403)
        return _track_page(request, appeal, key=key)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            # An appeal answered by a work order is rated through its order.
            submit = followup_submit_by_appellant if appeal.item_id else order_followup_by_appellant
            submit(appeal=appeal, actor=request.user, **form.cleaned_data)
        except PermissionDenied as error:
            messages.error(request, str(error))
            return _track_page(request, appeal, status=403)
        except ValidationError as error:
            if hasattr(error, "error_dict"):
                add_service_errors(form, error)
            else:
                # Not ratable (not settled yet, or rated already): say why on the page.
                for message in error.messages:
                    messages.error(request, message)
                return redirect("public:track_detail", tracking_number=appeal.tracking_number)
        else:
            messages.success(request, _("Thank you: your rating has been recorded."))
            return redirect("public:track_detail", tracking_number=appeal.tracking_number)
    return _track_page(request, appeal, rating_form=form, key=form.data.get("key", ""))


# ------------------------------------------------------------ filing an appeal


def _rate_key(request) -> str:
    # The address as django-axes sees it, so one proxy setting serves both.
    address = get_client_ip_address(request) or "unknown"
    return f"shishi:appeal-rate:{address}:{int(time.time() // 3600)}"


def _over_rate_limit(request) -> bool:
    limit = settings.SHISHI_APPEAL_RATE_PER_HOUR
    return cache.get(_rate_key(request), 0) >= limit


def _count_filing(request) -> None:
    count_hit(_rate_key(request), 3600)


@require_http_methods(["GET", "HEAD", "POST"])
def appeal_new(request):
    """File an appeal on the web, with or without an account. Web filings from
    one address are limited per hour (SHISHI_APPEAL_RATE_PER_HOUR) so that a
    script cannot flood the intake queue."""
    user = request.user if request.user.is_authenticated else None
    if request.method != "POST":
        initial = {}
        if user is not None:
            initial = {
                "submitter_name": user.full_name,
                "submitter_phone": user.phone,
                "submitter_email": user.email,
            }
        form = AppealForm(initial=initial)
        return render(request, "public/appeal_new.html", {"form": form})
    form = AppealForm(request.POST, request.FILES)
    if _over_rate_limit(request):
        context = {"form": form, "rate_limited": True}
        return render(request, "public/appeal_new.html", context, status=429)
    if form.is_valid():
        try:
            appeal = appeal_submit(
                channel=Channel.WEB,
                submitter=user,
                photos=form.cleaned_data["photos"],
                actor=user,
                **form.service_kwargs(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            _count_filing(request)
            request.session[_JUST_FILED] = appeal.tracking_number
            messages.success(
                request,
                _("Your appeal has been received. Keep this number: %(number)s")
                % {"number": appeal.tracking_number},
            )
            return redirect("public:track_detail", tracking_number=appeal.tracking_number)
    return render(request, "public/appeal_new.html", {"form": form})


# -------------------------------------------------------- an appeal's photos


@require_safe
def appeal_photo(request, pk):
    """A photo attached to an appeal, for the staff who handle appeals and the
    submitter's own account; anyone else gets 404, as if it did not exist."""
    photo = selectors.appeal_photo_for_user(request.user, pk)
    if photo is None:
        raise Http404
    return private_file_response(photo.file, photo.original_name)
