"""Logging in and out, the resident's optional account and their appeals, and
/work/, which sends each role to its main page. Logging in, out and changing a
password are Django's own views with our templates."""

import time

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from shishi.core.ratelimit import count_hit
from shishi.core.views import add_service_errors
from shishi.org.roles import RESIDENT
from shishi.org.services import user_create

from . import selectors
from .forms import SignupForm

# Where each kind of staff works, first match wins: a supervisor who may also
# report progress starts at verification.
HOME_PAGES = [
    ("intake.triage_appeal", "triage:queue"),
    ("ledger.verify_ledgeritem", "dispatch:verification"),
    ("ledger.claim_ledgeritem", "dispatch:my_items"),
    ("ledger.report_progress", "dispatch:my_items"),
    ("ledger.view_ledgeritem", "dashboard:index"),
]


@require_safe
def home(request):
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    for perm, page in HOME_PAGES:
        if request.user.has_perm(perm):
            return redirect(page)
    return redirect("accounts:my_appeals")


def _signup_over_limit(request) -> bool:
    """Count this signup attempt for the client's address (as django-axes sees
    it); whether it is over SHISHI_SIGNUP_RATE_PER_HOUR."""
    address = get_client_ip_address(request) or "unknown"
    hour = int(time.time() // 3600)
    hits = count_hit(f"shishi:signup-rate:{address}:{hour}", 3600)
    return hits > settings.SHISHI_SIGNUP_RATE_PER_HOUR


@require_http_methods(["GET", "HEAD", "POST"])
def signup(request):
    """An optional resident account; filing an appeal never needs one."""
    if request.user.is_authenticated:
        return redirect("accounts:home")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and _signup_over_limit(request):
        # Every attempt counts, the refused ones too: trying names one by one
        # to learn which accounts exist is limited with the rest.
        context = {"form": SignupForm(), "rate_limited": True}
        return render(request, "accounts/signup.html", context, status=429)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = user_create(
                username=data["username"],
                full_name=data["full_name"],
                phone=data["phone"],
                email=data["email"],
                password=data["password1"],
                roles=[RESIDENT],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Two backends are configured (axes first); the account is new, so
            # there is nothing for axes to check.
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your account has been created."))
            return redirect("accounts:my_appeals")
    return render(request, "accounts/signup.html", {"form": form})


@require_safe
@login_required
def my_appeals(request):
    """The appeals filed with this account, newest first: only one's own."""
    paginator = Paginator(selectors.appeals_of(request.user), settings.SHISHI_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "accounts/my_appeals.html", {"page": page})
