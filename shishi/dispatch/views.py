"""The work pages of unit handlers, leaders and supervisors: their items (按周调度),
the items to claim (领账), verification (清账), the overdue list, one item with
the actions its status allows, the weekly report, and the evidence files.
Thin: reads are in selectors.py, forms in forms.py, the actions' table in
actions.py; every change goes through shishi.ledger.services."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shishi.core.uploads import private_file_response
from shishi.core.views import (
    add_service_errors,
    any_permission_required,
    permission_required,
    submit_to_service,
)
from shishi.ledger import permissions
from shishi.ledger.lifecycle import ITEM_TRANSITIONS
from shishi.ledger.models import Evidence, LedgerItem, iso_week_label, week_start
from shishi.ledger.services import progress_report_submit
from shishi.organisation.selectors import contact_units_of
from shishi.sheets.ledger_export import ledger_response
from shishi.sheets.writers import export_urls
from shishi.suggestions import selectors as suggestions
from shishi.supervision import permissions as supervision_permissions

from . import selectors
from .actions import ACTIONS, ItemAction, new_form
from .forms import ClaimableFilterForm, MyItemsFilterForm, ReportForm


def _page(request, items, param: str = "page") -> Page:
    return Paginator(items, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get(param))


# ------------------------------------------------------------------ my items


@require_safe
@any_permission_required("ledger.report_progress", "ledger.claim_ledgeritem")
def my_items(request):
    form = MyItemsFilterForm(request.GET)
    filters = form.filters()
    monday = week_start(timezone.localdate())
    page = _page(request, selectors.my_items(request.user, monday=monday, **filters))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page": page,
        "week_label": iso_week_label(monday),
        "can_report": request.user.has_perm("ledger.report_progress"),
        "report_statuses": ITEM_TRANSITIONS["report"].sources,
        "export_urls": export_urls(request, "dispatch:my_items_export"),
    }
    return render(request, "dispatch/my_items.html", context)


@require_safe
@any_permission_required("ledger.report_progress", "ledger.claim_ledgeritem")
def my_items_export(request):
    filters = MyItemsFilterForm(request.GET).filters()
    monday = week_start(timezone.localdate())
    items = selectors.my_items(request.user, monday=monday, **filters)
    return ledger_response(request, items, list_name="我的实事台账", list_view="dispatch:my_items")


# ------------------------------------------------------------ items to claim


@require_safe
@permission_required("ledger.claim_ledgeritem")
def claimable(request):
    form = ClaimableFilterForm(request.GET)
    filters = form.filters()
    page = _page(request, selectors.claimable_items(**filters))
    context = {
        "form": form,
        "filtered": bool(filters),
        "page": page,
        "export_urls": export_urls(request, "dispatch:claimable_export"),
    }
    return render(request, "dispatch/claimable.html", context)


@require_safe
@permission_required("ledger.claim_ledgeritem")
def claimable_export(request):
    items = selectors.claimable_items(**ClaimableFilterForm(request.GET).filters())
    return ledger_response(request, items, list_name="待领账事项", list_view="dispatch:claimable")


# ------------------------------------------------------- supervisors' lists


@require_safe
@permission_required("ledger.verify_ledgeritem")
def verification(request):
    page = _page(request, selectors.awaiting_verification())
    context = {"page": page, "export_urls": export_urls(request, "dispatch:verification_export")}
    return render(request, "dispatch/verification.html", context)


@require_safe
@permission_required("ledger.verify_ledgeritem")
def verification_export(request):
    items = selectors.awaiting_verification()
    return ledger_response(
        request, items, list_name="待核验事项", list_view="dispatch:verification"
    )


@require_safe
@permission_required("ledger.verify_ledgeritem")
def overdue(request):
    page = _page(request, selectors.overdue_items(timezone.now()))
    today = timezone.localdate()
    page.object_list = list(page.object_list)
    for item in page.object_list:
        item.days_overdue = selectors.days_overdue(item, today)
        item.last_report_label = (
            iso_week_label(item.last_report_week) if item.last_report_week else ""
        )
    context = {"page": page, "export_urls": export_urls(request, "dispatch:overdue_export")}
    return render(request, "dispatch/overdue.html", context)


@require_safe
@permission_required("ledger.verify_ledgeritem")
def overdue_export(request):
    items = selectors.overdue_items(timezone.now())
    return ledger_response(request, items, list_name="逾期事项", list_view="dispatch:overdue")


# ---------------------------------------------------------------- one item


def _subpage(request, items, param: str, *, path: str) -> Page:
    """A page of one of the item page's lists. Its links lead to the item page
    at `path` (also when a refused action's URL shows it) and keep the other
    lists' pages."""
    page = _page(request, items, param)
    for attr, number in (
        ("previous_url", page.has_previous() and page.previous_page_number()),
        ("next_url", page.has_next() and page.next_page_number()),
    ):
        url = ""
        if number:
            query = request.GET.copy()
            query[param] = number
            url = f"{path}?{query.urlencode()}"
        setattr(page, attr, url)
    return page


# Supervision orders listed on an item page (the rest are at /supervision/).
SUPERVISION_ORDERS_SHOWN = 10


def _item_page(
    request,
    item: LedgerItem,
    *,
    failed: tuple[ItemAction, forms.Form] | None = None,
    status: int = 200,
):
    """The staff item page. `failed` is an action whose form was refused: it is
    shown again with its errors (above the actions when the status no longer
    offers it)."""
    user = request.user
    path = reverse("dispatch:item", args=[item.number])
    offered = []
    refused_errors = []
    for action in ACTIONS.values():
        if failed is not None and failed[0] is action:
            if action.offered(user, item):
                offered.append((action, failed[1]))
            else:
                refused_errors = [e for errors in failed[1].errors.values() for e in errors]
            continue
        if action.offered(user, item):
            offered.append((action, new_form(action, item=item)))
    history = _subpage(request, selectors.item_history(item), "history_page", path=path)
    history.object_list = [selectors.history_entry(record) for record in history.object_list]
    can_triage = user.has_perm("intake.triage_appeal")
    context = {
        "item": item,
        "overdue": item.is_overdue(),
        "actions": offered,
        "refused_errors": refused_errors,
        "can_report": permissions.can_report(user, item)
        and item.status in ITEM_TRANSITIONS["report"].sources,
        "can_triage": can_triage,
        # Waiting appeals that look like this item, for a clerk to take in.
        "related_appeals": (
            suggestions.appeals_for_item(item) if can_triage and item.takes_appeals else []
        ),
        "appeals": _subpage(request, selectors.item_appeals(item), "appeals_page", path=path),
        "reports": _subpage(request, selectors.item_reports(item), "reports_page", path=path),
        "settlement_files": list(selectors.settlement_evidence(item)),
        "followups": _subpage(request, selectors.item_followups(item), "followups_page", path=path),
        "history": history,
        # 督办: the item's supervision orders that the reader may open, newest first.
        "supervision_orders": [
            order
            for order in item.supervision_orders.select_related(
                "item", "item__owner", "supervisor", "unit"
            )[:SUPERVISION_ORDERS_SHOWN]
            if supervision_permissions.can_view(user, order)
        ],
    }
    return render(request, "dispatch/item.html", context, status=status)


def _item_or_404(number: str) -> LedgerItem:
    return get_object_or_404(selectors.staff_item_queryset(), number=number)


@require_safe
@permission_required("ledger.view_ledgeritem")
def item_detail(request, number):
    return _item_page(request, _item_or_404(number))


@require_POST
@permission_required("ledger.view_ledgeritem")
def item_action(request, number, action):
    """One of the item page's actions (the URL names it): check the form, call
    the service, redirect; or show the page again with the refusal."""
    action = ACTIONS[action]
    item = _item_or_404(number)
    if not action.permitted(request.user, item):
        raise PermissionDenied
    form = new_form(action, request.POST, request.FILES)
    done, status = submit_to_service(form, lambda data: action.perform(item, request.user, data))
    if done:
        messages.success(request, action.done % {"item": item})
        return redirect("dispatch:item", number=item.number)
    # Show the item as it is now (a colleague may have changed it meanwhile).
    return _item_page(request, _item_or_404(number), failed=(action, form), status=status)


# ------------------------------------------------------------------ claiming


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("ledger.claim_ledgeritem")
def claim(request, number):
    """领账: the claim form of one item (GET; htmx asks for the form alone, to
    show it inside the list's row), and the claim itself (POST). The list does
    not carry a unit menu on every row: a district has a hundred units or more."""
    action = ACTIONS["claim"]
    item = _item_or_404(number)
    if request.method == "POST":
        form = new_form(action, request.POST, auto_id=f"claim-{item.pk}-%s")
        if form.is_valid():
            try:
                action.perform(item, request.user, form.cleaned_data)
            except ValidationError as error:
                # Most often: another leader was first. Show who, as it is now.
                add_service_errors(form, error)
                item = _item_or_404(number)
            except PermissionDenied as error:
                add_service_errors(form, error)
            else:
                messages.success(request, action.done % {"item": item})
                return redirect("dispatch:item", number=item.number)
    else:
        form = new_form(action, item=item, auto_id=f"claim-{item.pk}-%s")
    # The leader's contact units (联系单位) are suggested: the first is chosen.
    contacts = list(contact_units_of(request.user))
    if contacts:
        form.fields["lead_unit"].help_text = _("Your contact units: %(units)s.") % {
            "units": "、".join(u.name for u in contacts)
        }
        if not form.is_bound and not form.initial.get("lead_unit"):
            form.initial["lead_unit"] = contacts[0].pk
    # The form is what the person came for (in the row, too, once htmx brings it).
    form.fields["lead_unit"].widget.attrs["autofocus"] = True
    context = {"item": item, "form": form, "claimable": action.status_allows(item)}
    if request.method == "GET" and request.headers.get("HX-Request"):
        return render(request, "dispatch/_claim_form.html", context)
    return render(request, "dispatch/claim.html", context)


# ---------------------------------------------------------- the weekly report


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("ledger.report_progress")
def report(request, number):
    item = get_object_or_404(
        LedgerItem.objects.select_related("owner", "lead_unit").with_latest_percent(),
        number=number,
    )
    permissions.require_report(request.user, item)
    monday = week_start(timezone.localdate())
    this_week = selectors.report_for_week(item, monday)
    targets = list(item.targets.all())
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, targets=targets)
        if form.is_valid():
            try:
                saved = progress_report_submit(
                    item=item,
                    actor=request.user,
                    percent=form.cleaned_data["percent"],
                    narrative=form.cleaned_data["narrative"],
                    actuals=form.actuals(),
                    files=form.cleaned_data["evidence"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("The report on “%(item)s” for week %(week)s is saved (version %(version)d).")
                    % {"item": item, "week": saved.week_label, "version": saved.version},
                )
                return redirect("dispatch:item", number=item.number)
    else:
        percent = this_week.percent if this_week else item.latest_percent
        form = ReportForm(targets=targets, initial={"percent": percent})
    context = {
        "item": item,
        "form": form,
        "week_label": iso_week_label(monday),
        "monday": monday,
        "this_week": this_week,
        "previous": selectors.report_before(item, monday),
        "status_allows": item.status in ITEM_TRANSITIONS["report"].sources,
    }
    return render(request, "dispatch/report.html", context)


# ------------------------------------------------------------ evidence files


@require_safe
def evidence_file(request, pk):
    """An evidence file, to staff who may see ledger items; to anyone else it
    does not exist. Served inline with its own type only, never sniffed, and
    with a policy that lets nothing in it run."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not request.user.has_perm("ledger.view_ledgeritem"):
        raise Http404
    evidence = get_object_or_404(Evidence, pk=pk)
    return private_file_response(evidence.file, evidence.original_name)
