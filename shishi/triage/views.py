"""The intake desk (梳理): the queue, one appeal with its actions, actions on a
selection, and a new ledger item drafted from appeals. Thin: reads are in
selectors.py, input shapes in forms.py, writes in the services."""

from collections import Counter
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shishi.core.lifecycle import check_transition
from shishi.core.views import add_service_errors, permission_required, refusal_text
from shishi.intake import services as intake
from shishi.intake.lifecycle import APPEAL_TRANSITIONS
from shishi.intake.models import AppealStatus
from shishi.ledger.services import TargetSpec
from shishi.sheets.appeals_export import appeals_response
from shishi.sheets.writers import export_urls
from shishi.suggestions import selectors as suggestions

from . import selectors
from .forms import (
    MAX_APPEALS_PER_ITEM,
    AnswerForm,
    BulkAction,
    BulkForm,
    ItemDraftForm,
    MergeForm,
    QueueFilterForm,
    RejectForm,
    ReleaseForm,
    TargetFormSet,
    TriageForm,
)
from .services import item_draft_from_appeals

TRIAGE = "intake.triage_appeal"

# ------------------------------------------------------------------ the queue


@permission_required(TRIAGE)
@require_safe
def queue(request):
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    page, truncated = selectors.queue_page(
        selectors.appeal_queue(**filters),
        request.GET.get("page"),
        per_page=settings.SHISHI_PAGE_SIZE,
        searching=bool(filters.get("q")),
    )
    context = {
        "form": form,
        "page": page,
        "filtered": bool(filters),
        "truncated": truncated,
        "search_max": selectors.SEARCH_MAX_RESULTS,
        "todo": not filters.get("status"),
        "bulk_form": BulkForm(initial={"next": request.get_full_path()}),
        "export_urls": export_urls(request, "triage:queue_export"),
    }
    # The engine's category for rows without one (a constant number of queries).
    suggested = suggestions.categories_for_rows(page.object_list)
    for appeal in page.object_list:
        appeal.suggested = suggested.get(appeal.pk)
    return render(request, "triage/queue.html", context)


@permission_required(TRIAGE)
@require_safe
def queue_export(request):
    """The queue as it is filtered, as .xlsx or CSV (?format=csv): every
    matching appeal, not one page."""
    filters = QueueFilterForm(request.GET).filters()
    return appeals_response(
        request, selectors.appeal_queue(**filters), list_name="诉求清单", list_view="triage:queue"
    )


def _local_url(request, url: str | None, default: str) -> str:
    """`url` if it stays on this site, else `default`: a forged `next` must not
    send the clerk elsewhere."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return default


@permission_required(TRIAGE)
@require_POST
def bulk(request):
    """One action on the appeals ticked in the queue.

    Each appeal goes through the service in its own transaction, and a refusal
    of one does not undo the others: a clerk combing fifty appeals should not
    lose forty-nine because a colleague answered one meanwhile. The message
    says which were refused and why, so the clerk can look at those alone."""
    form = BulkForm(request.POST)
    back = _local_url(request, request.POST.get("next"), reverse("triage:queue"))
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = form.fields[name].label if name in form.fields else ""
            for error in errors:
                messages.error(request, f"{label}: {error}" if label else error)
        return redirect(back)
    appeals = list(form.cleaned_data["appeals"])
    action = form.cleaned_data["action"]
    if action == BulkAction.NEW_ITEM:
        ids = ",".join(str(a.pk) for a in appeals)
        return redirect(f"{reverse('triage:item_new')}?{urlencode({'appeals': ids})}")

    done, refused = 0, []
    for appeal in appeals:
        try:
            if action == BulkAction.TRIAGE:
                intake.appeal_triage(
                    appeal=appeal, actor=request.user, category=form.cleaned_data["category"]
                )
            elif action == BulkAction.ACCEPT:
                intake.appeal_accept(
                    appeal=appeal, actor=request.user, item=form.cleaned_data["item"]
                )
            else:
                intake.appeal_reject(
                    appeal=appeal, actor=request.user, reason=form.cleaned_data["reason"]
                )
        except ValidationError as error:
            refused.append((appeal.tracking_number, refusal_text(error)))
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(count)d appeal done.", "%(count)d appeals done.", done) % {"count": done},
        )
    if refused:
        messages.warning(
            request,
            ngettext(
                "%(count)d appeal refused; the others are done all the same:",
                "%(count)d appeals refused; the others are done all the same:",
                len(refused),
            )
            % {"count": len(refused)},
        )
        for number, reason in refused:
            messages.warning(request, f"{number}: {reason}")
    return redirect(back)


@permission_required(TRIAGE)
@require_safe
def item_suggestions(request):
    """Items to merge into, as <option>s for the merge field's <datalist>
    (htmx fills it as the clerk types; the plain field works without it)."""
    text = request.GET.get("item", "")[:100]
    items = selectors.items_matching(text) if len(text.strip()) >= 2 else []
    return render(request, "triage/_item_options.html", {"items": items})


# ---------------------------------------------------------------- one appeal

# The actions of the appeal page: the lifecycle transition each performs and
# the form that takes its input.
ACTIONS = {
    "triage": TriageForm,
    "accept": MergeForm,
    "answer": AnswerForm,
    "reject": RejectForm,
    "release": ReleaseForm,
}


def _perform(action: str, appeal, actor, data: dict) -> str:
    """Run the action's service; returns the success message."""
    number = appeal.tracking_number
    if action == "triage":
        intake.appeal_triage(appeal=appeal, actor=actor, category=data["category"])
        return _("Appeal %(number)s is now in the category “%(category)s”.") % {
            "number": number,
            "category": data["category"],
        }
    if action == "accept":
        intake.appeal_accept(appeal=appeal, actor=actor, item=data["item"])
        return _("Appeal %(number)s is merged into %(item)s.") % {
            "number": number,
            "item": data["item"],
        }
    if action == "answer":
        intake.appeal_answer(appeal=appeal, actor=actor, answer=data["answer"])
        return _("Appeal %(number)s is answered; the submitter will be told.") % {"number": number}
    if action == "release":
        item = appeal.item
        intake.appeal_release(appeal=appeal, actor=actor, reason=data["reason"])
        return _("Appeal %(number)s is released from %(item)s and back in the queue.") % {
            "number": number,
            "item": item.number,
        }
    intake.appeal_reject(appeal=appeal, actor=actor, reason=data["reason"])
    return _("Appeal %(number)s is rejected; the submitter will be told why.") % {"number": number}


def allowed_actions(appeal) -> list[str]:
    return [name for name in ACTIONS if appeal.status in APPEAL_TRANSITIONS[name].sources]


@permission_required(TRIAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def appeal_detail(request, tracking_number):
    number = intake.tracking_number_normalise(tracking_number)
    if number != tracking_number:
        return redirect("triage:appeal", tracking_number=number)
    appeal = selectors.appeal_for_clerk(number) if len(number) <= 20 else None
    if appeal is None:
        raise Http404
    actions = allowed_actions(appeal)
    forms = {name: form_class() for name, form_class in ACTIONS.items() if name in actions}
    if "triage" in forms:
        forms["triage"] = TriageForm(initial={"category": appeal.category_id})
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ACTIONS:
            messages.error(request, _("Unknown action."))
            return redirect("triage:appeal", tracking_number=number)
        if action not in actions:
            # A page left open while a colleague handled the appeal: say why.
            try:
                check_transition(APPEAL_TRANSITIONS, action, appeal, AppealStatus.choices)
            except ValidationError as error:
                messages.error(request, refusal_text(error))
            return redirect("triage:appeal", tracking_number=number)
        form = ACTIONS[action](request.POST)
        forms[action] = form
        if form.is_valid():
            try:
                message = _perform(action, appeal, request.user, form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, message)
                # The item page's release button comes back to the item.
                back = reverse("triage:appeal", kwargs={"tracking_number": number})
                return redirect(_local_url(request, request.POST.get("next"), back))
    suggested = suggestions.for_appeal(appeal)
    context = {
        "appeal": appeal,
        "suggestions": suggested,
        "forms": forms,
        "history": selectors.appeal_history(appeal),
        "photos": list(appeal.photos.all()),
        "can_see_contact": request.user.has_perm("intake.view_submitter_contact"),
        "new_item_url": (
            f"{reverse('triage:item_new')}?{urlencode(_new_item_query(appeal, suggested))}"
            if "accept" in actions
            else ""
        ),
    }
    return render(request, "triage/appeal.html", context)


# --------------------------------------------------- a new item from appeals


def _new_item_query(appeal, suggested) -> dict:
    """The new-item link's query: the appeal, and the suggested category (when
    the appeal has none) and lead unit, for the clerk to confirm."""
    query = {"appeals": appeal.pk}
    if suggested.category and not appeal.category_id:
        query["category"] = suggested.category.category.pk
    if suggested.lead_units:
        query["lead_unit"] = suggested.lead_units[0].unit.pk
    return query


def _appeal_ids(raw: str) -> list[int]:
    """The ids in `1,2,3`, in order, without repeats; junk is dropped."""
    ids: list[int] = []
    for part in raw.split(","):
        part = part.strip()
        if part.isdigit() and int(part) not in ids:
            ids.append(int(part))
    return ids[:MAX_APPEALS_PER_ITEM]


def _item_initial(appeals, query=None) -> dict:
    categories = Counter(a.category_id for a in appeals if a.category_id)
    initial = {
        "title": appeals[0].title,
        "category": categories.most_common(1)[0][0] if categories else None,
        "description": "\n".join(f"{a.tracking_number} {a.title}" for a in appeals),
    }
    # A hot issue's 立项 link proposes a title, category and lead unit; the
    # form's own choices judge them when the clerk submits.
    query = query or {}
    if query.get("title"):
        initial["title"] = query["title"][: ItemDraftForm.base_fields["title"].max_length]
    for name in ("category", "lead_unit"):
        value = query.get(name, "")
        if value.isdigit():
            initial[name] = int(value)
    return initial


def _targets(formset) -> list[TargetSpec]:
    return [TargetSpec(**target) for form in formset.forms if (target := form.target())]


def _add_item_errors(form, formset, error: ValidationError) -> list[str]:
    """Put the services' errors where they belong: a target's next to that
    target's row, the rest next to the field; returns the errors about the
    targets as a whole."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return []
    about_targets: list[str] = []
    # item_create numbers the targets it was given: the filled rows, from 1.
    filled = [row for row in formset.forms if row.target()]
    rows = {f"targets[{i}]": row for i, row in enumerate(filled, start=1)}
    for field, errors in error.error_dict.items():
        messages_ = [m for e in errors for m in e.messages]
        if field == "targets":
            about_targets.extend(messages_)
        elif field in rows:
            rows[field].add_error(None, messages_)
        else:
            form.add_error(field if field in form.fields else None, messages_)
    return about_targets


@permission_required(TRIAGE)
@require_http_methods(["GET", "HEAD", "POST"])
def item_new(request):
    appeals = selectors.appeals_by_ids(_appeal_ids(request.GET.get("appeals", "")))
    if not appeals:
        messages.error(request, _("Select the appeals to start the new item from."))
        return redirect("triage:queue")
    targets_errors: list[str] = []
    if request.method == "POST":
        form = ItemDraftForm(request.POST, user=request.user)
        formset = TargetFormSet(request.POST, prefix="targets")
        if form.is_valid() and formset.is_valid():
            fields = form.cleaned_data
            try:
                item = item_draft_from_appeals(
                    actor=request.user,
                    appeals=appeals,
                    kind=fields["kind"],
                    title=fields["title"],
                    category=fields["category"],
                    description=fields["description"],
                    deadline=form.deadline_datetime(),
                    lead_unit=fields["lead_unit"],
                    targets=_targets(formset),
                )
            except ValidationError as error:
                targets_errors = _add_item_errors(form, formset, error)
            else:
                messages.success(
                    request,
                    ngettext(
                        "Draft item %(item)s started from %(count)d appeal.",
                        "Draft item %(item)s started from %(count)d appeals.",
                        len(appeals),
                    )
                    % {"item": item.number, "count": len(appeals)},
                )
                return redirect("dispatch:item", number=item.number)
    else:
        form = ItemDraftForm(initial=_item_initial(appeals, request.GET), user=request.user)
        formset = TargetFormSet(prefix="targets")
    accept = APPEAL_TRANSITIONS["accept"]
    context = {
        "form": form,
        "formset": formset,
        "targets_errors": targets_errors,
        "appeals": appeals,
        "unavailable": [a for a in appeals if a.status not in accept.sources],
    }
    return render(request, "triage/item_new.html", context)


# ------------------------------------------------------------- hot issues


@permission_required(TRIAGE)
@require_safe
def hot_issues(request):
    """热点问题: the appeals still waiting to be combed, grouped into issues by
    the engine and ranked by heat; each issue one step from a new item."""
    days = request.GET.get("days", "")
    days = int(days) if days.isdigit() and 1 <= int(days) <= 3660 else None
    issues, info = suggestions.hot(days=days)
    for issue in issues:
        query = {"appeals": issue.appeal_ids, "title": issue.title}
        if issue.category:
            query["category"] = issue.category.category.pk
        if issue.lead_unit:
            query["lead_unit"] = issue.lead_unit.unit.pk
        issue.new_item_url = f"{reverse('triage:item_new')}?{urlencode(query)}"
    context = {
        "issues": issues,
        "info": info,
        "max_appeals": MAX_APPEALS_PER_ITEM,
        "day_choices": [30, 90, 180, 365],
    }
    return render(request, "triage/hot.html", context)
