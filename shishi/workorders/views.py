"""The work-order pages: the centre's dispatch page and lists (returned orders,
extension requests, replies to review), a unit's queue with its tabs, and one
order with the moves the reader may make. Thin: reads in selectors.py, input
shapes in forms.py, every change through services.py."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shishi.core.uploads import private_file_response
from shishi.core.views import (
    any_permission_required,
    permission_required,
    submit_to_service,
)
from shishi.intake.models import Appeal
from shishi.org.services import user_unit_ids
from shishi.sheets.writers import export_urls

from . import permissions, selectors, services
from .catalogue import dispatch_suggestions
from .exports import orders_response
from .forms import (
    DecisionForm,
    DispatchForm,
    EmptyForm,
    ExtensionForm,
    FollowUpForm,
    NoteForm,
    QueueFilterForm,
    ReasonForm,
    RedispatchForm,
    ReplyForm,
    ReviewForm,
)
from .lifecycle import ORDER_TRANSITIONS
from .models import ExtensionStatus, NotePhoto, WorkOrder

CENTRE = permissions.CENTRE_PERM
HANDLER = permissions.HANDLER_PERM

TAB_LABELS = {
    "to_sign": gettext_lazy("Waiting to sign"),
    "in_hand": gettext_lazy("In hand"),
    "due_soon": gettext_lazy("Due soon"),
    "overdue": gettext_lazy("Overdue"),
    "sent_back": gettext_lazy("Sent back to us"),
    "returned": gettext_lazy("Returned by us"),
}
CENTRE_LABELS = {
    "review": gettext_lazy("Replies to review"),
    "returned": gettext_lazy("Returned orders to re-dispatch"),
    "extensions": gettext_lazy("Extension requests"),
    "dissatisfied": gettext_lazy("Dissatisfied residents"),
    "overdue": gettext_lazy("Overdue orders"),
}


def _page(request, rows):
    return Paginator(rows, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get("page"))


# ------------------------------------------------------------- the unit's queue


def _tab(request, choices) -> str:
    tab = request.GET.get("tab") or choices[0]
    if tab not in choices:
        raise Http404
    return tab


@require_safe
@permission_required(HANDLER)
def queue(request):
    tab = _tab(request, selectors.TABS)
    form = QueueFilterForm(request.GET)
    filters = form.filters()
    unit_ids = user_unit_ids(request.user)
    now = timezone.now()
    page = _page(request, selectors.unit_queue(tab, unit_ids, now=now, **filters))
    counts = selectors.tab_counts(unit_ids, now)
    context = {
        "form": form,
        "filtered": bool(filters),
        "tab": tab,
        "tabs": [(name, TAB_LABELS[name], counts[name]) for name in selectors.TABS],
        "page": page,
        "now": now,
        "export_urls": export_urls(request, "workorders:queue_export"),
    }
    return render(request, "workorders/queue.html", context)


@require_safe
@permission_required(HANDLER)
def queue_export(request):
    tab = _tab(request, selectors.TABS)
    filters = QueueFilterForm(request.GET).filters()
    orders = selectors.unit_queue(tab, user_unit_ids(request.user), **filters)
    return orders_response(
        request, orders, list_name=f"工单（{TAB_LABELS[tab]}）", list_view="workorders:queue"
    )


# ------------------------------------------------------------- the centre


@require_safe
@permission_required(CENTRE)
def centre(request):
    name = _tab(request, selectors.CENTRE_LISTS)
    form = QueueFilterForm(request.GET)
    filters = form.filters() if name != "extensions" else {}
    now = timezone.now()
    page = _page(request, selectors.centre_list(name, now=now, **filters))
    counts = selectors.centre_counts(now)
    context = {
        "form": form,
        "filtered": bool(filters),
        "tab": name,
        "tabs": [(n, CENTRE_LABELS[n], counts[n]) for n in selectors.CENTRE_LISTS],
        "page": page,
        "now": now,
        "export_urls": export_urls(request, "workorders:centre_export"),
    }
    return render(request, "workorders/centre.html", context)


@require_safe
@permission_required(CENTRE)
def centre_export(request):
    name = _tab(request, [n for n in selectors.CENTRE_LISTS if n != "extensions"])
    orders = selectors.centre_list(name, **QueueFilterForm(request.GET).filters())
    return orders_response(
        request, orders, list_name=f"工单（{CENTRE_LABELS[name]}）", list_view="workorders:centre"
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required(CENTRE)
def dispatch(request, tracking_number):
    """派单: one appeal, the suggested unit (the catalogue's, then the model's),
    and the form."""
    appeal = get_object_or_404(
        Appeal.objects.select_related("category", "community"), tracking_number=tracking_number
    )
    suggestions = dispatch_suggestions(appeal)
    if request.method == "POST":
        form = DispatchForm(request.POST)
        done, status = submit_to_service(
            form,
            lambda data: services.order_dispatch(
                appeal=appeal,
                unit=data["unit"],
                cooperating_units=data["cooperating_units"],
                instructions=data["instructions"],
                actor=request.user,
            ),
        )
        if done:
            order = appeal.work_orders.live().get()
            messages.success(
                request,
                _("Work order %(number)s dispatched to %(unit)s.")
                % {"number": order.number, "unit": order.unit},
            )
            return redirect("workorders:order", number=order.number)
    else:
        initial = {"unit": suggestions[0].unit.pk} if suggestions else {}
        form, status = DispatchForm(initial=initial), 200
    context = {
        "appeal": appeal,
        "form": form,
        "suggestions": suggestions,
        "orders": appeal.work_orders.select_related("unit").order_by("pk"),
    }
    return render(request, "workorders/dispatch.html", context, status=status)


# ------------------------------------------------------------- one order


@dataclass(frozen=True)
class OrderAction:
    name: str  # the URL's and, but for decide, the transition's
    heading: Promise
    button: Promise
    form_class: type[forms.Form]
    by_centre: bool
    perform: Callable[[WorkOrder, Any, dict], Any]
    done: Promise  # with %(number)s
    transition: str = ""
    multipart: bool = False

    @property
    def url_name(self) -> str:
        return f"workorders:{self.name}"

    def offered(self, user, order: WorkOrder) -> bool:
        allowed = (
            permissions.is_centre(user) if self.by_centre else permissions.handles(user, order)
        )
        return allowed and order.status in ORDER_TRANSITIONS[self.transition or self.name].sources


def _decide(order, actor, data):
    request = order.extensions.filter(status=ExtensionStatus.PENDING).first()
    if request is None:
        raise ValidationError(_("No extension request is waiting for a decision."))
    return services.order_extension_decide(
        request=request, actor=actor, approve=data["approve"], note=data["note"]
    )


ACTIONS = {
    a.name: a
    for a in (
        OrderAction(
            "sign",
            gettext_lazy("Sign for it (签收)"),
            gettext_lazy("Sign for it"),
            EmptyForm,
            False,
            lambda o, u, d: services.order_sign(order=o, actor=u),
            gettext_lazy("Work order %(number)s signed for."),
        ),
        OrderAction(
            "note",
            gettext_lazy("Handling note (办理)"),
            gettext_lazy("Add the note"),
            NoteForm,
            False,
            lambda o, u, d: services.order_note_add(
                order=o, actor=u, text=d["text"], photos=d["photos"]
            ),
            gettext_lazy("Note added to %(number)s."),
            multipart=True,
        ),
        OrderAction(
            "reply",
            gettext_lazy("Reply (办结)"),
            gettext_lazy("Send the reply for review"),
            ReplyForm,
            False,
            lambda o, u, d: services.order_reply(order=o, actor=u, reply=d["reply"]),
            gettext_lazy("The reply on %(number)s went to the centre for review."),
        ),
        OrderAction(
            "extend",
            gettext_lazy("Ask for an extension (延期申请)"),
            gettext_lazy("Ask the centre"),
            ExtensionForm,
            False,
            lambda o, u, d: services.order_extension_request(
                order=o, actor=u, reason=d["reason"], new_due=d["new_due"]
            ),
            gettext_lazy("Extension of %(number)s requested."),
        ),
        OrderAction(
            "return",
            gettext_lazy("Return to the centre (退单)"),
            gettext_lazy("Return it"),
            ReasonForm,
            False,
            lambda o, u, d: services.order_return(order=o, actor=u, reason=d["reason"]),
            gettext_lazy("Work order %(number)s returned to the centre."),
        ),
        OrderAction(
            "review",
            gettext_lazy("Review the reply (审核)"),
            gettext_lazy("Record the review"),
            ReviewForm,
            True,
            lambda o, u, d: services.order_review(
                order=o, actor=u, accept=d["accept"], note=d["note"]
            ),
            gettext_lazy("Review of %(number)s recorded."),
            transition="accept",
        ),
        OrderAction(
            "decide",
            gettext_lazy("Decide the extension request"),
            gettext_lazy("Record the decision"),
            DecisionForm,
            True,
            _decide,
            gettext_lazy("Extension request on %(number)s decided."),
            transition="decide_extension",
        ),
        OrderAction(
            "redispatch",
            gettext_lazy("Re-dispatch (转派)"),
            gettext_lazy("Re-dispatch"),
            RedispatchForm,
            True,
            lambda o, u, d: services.order_redispatch(
                order=o,
                unit=d["unit"],
                cooperating_units=d["cooperating_units"],
                instructions=d["instructions"],
                reason=d["reason"],
                actor=u,
            ),
            gettext_lazy("Work order %(number)s re-dispatched."),
            transition="reassign",
        ),
        OrderAction(
            "rehandle",
            gettext_lazy("Re-handle (重办)"),
            gettext_lazy("Send back to the unit"),
            ReasonForm,
            True,
            lambda o, u, d: services.order_rehandle(order=o, actor=u, reason=d["reason"]),
            gettext_lazy("Work order %(number)s is back with its unit."),
        ),
        OrderAction(
            "followup",
            gettext_lazy("Record a phone follow-up (回访)"),
            gettext_lazy("Record it"),
            FollowUpForm,
            True,
            lambda o, u, d: services.order_followup_record(
                order=o, actor=u, result=d["result"], note=d["note"]
            ),
            gettext_lazy("Follow-up of %(number)s recorded."),
            transition="rehandle",
        ),
        OrderAction(
            "close",
            gettext_lazy("Close with a reason"),
            gettext_lazy("Close the appeal"),
            ReasonForm,
            True,
            lambda o, u, d: services.order_followup_close(order=o, actor=u, reason=d["reason"]),
            gettext_lazy("The appeal of %(number)s is closed."),
            transition="rehandle",
        ),
        OrderAction(
            "cancel",
            gettext_lazy("Cancel the order"),
            gettext_lazy("Cancel it"),
            ReasonForm,
            True,
            lambda o, u, d: services.order_cancel(order=o, actor=u, reason=d["reason"]),
            gettext_lazy("Work order %(number)s cancelled; its appeal is back in the queue."),
        ),
    )
}


def _order_or_404(user, number: str) -> WorkOrder:
    order = get_object_or_404(
        WorkOrder.objects.select_related(
            "appeal", "appeal__category", "appeal__community", "unit", "signed_by"
        ),
        number=number,
    )
    if not permissions.can_view(user, order):
        raise PermissionDenied
    return order


def _offered(user, order: WorkOrder, action: OrderAction) -> bool:
    if not action.offered(user, order):
        return False
    if action.name == "decide":
        return order.extensions.filter(status=ExtensionStatus.PENDING).exists()
    if action.name in ("rehandle", "close"):
        return selectors.undecided_dissatisfied().filter(pk=order.pk).exists()
    if action.name == "followup":
        return not order.followups.filter(round=order.rehandle_count).exists()
    return True


def _order_page(request, order: WorkOrder, *, failed=None, status: int = 200):
    user = request.user
    offered, refused_errors = [], []
    for action in ACTIONS.values():
        if failed is not None and failed[0] is action:
            if _offered(user, order, action):
                offered.append((action, failed[1]))
            else:
                refused_errors = [e for errors in failed[1].errors.values() for e in errors]
            continue
        if _offered(user, order, action):
            offered.append((action, action.form_class()))
    context = {
        "order": order,
        "appeal": order.appeal,
        "actions": offered,
        "refused_errors": refused_errors,
        "cooperating": list(order.cooperating_units.all()),
        "notes": order.notes.select_related("author").prefetch_related("photos"),
        "extensions": order.extensions.select_related("requested_by", "decided_by"),
        "chain": WorkOrder.objects.filter(appeal_id=order.appeal_id)
        .select_related("unit")
        .order_by("pk"),
        "history": selectors.order_history(order)[:50],
        "is_centre": permissions.is_centre(user),
    }
    return render(request, "workorders/order.html", context, status=status)


@require_safe
@any_permission_required(CENTRE, HANDLER, "workorders.view_workorder")
def order_detail(request, number):
    return _order_page(request, _order_or_404(request.user, number))


@require_POST
@any_permission_required(CENTRE, HANDLER)
def order_action(request, number, action):
    action = ACTIONS[action]
    order = _order_or_404(request.user, number)
    if action.by_centre and not permissions.is_centre(request.user):
        raise PermissionDenied
    if not action.by_centre and not permissions.handles(request.user, order):
        raise PermissionDenied
    form = action.form_class(request.POST, request.FILES)
    done, status = submit_to_service(form, lambda data: action.perform(order, request.user, data))
    if done:
        messages.success(request, action.done % {"number": order.number})
        if action.name == "redispatch":
            order = order.next
        return redirect("workorders:order", number=order.number)
    # Shown as it is now: a colleague may have moved it meanwhile.
    return _order_page(
        request, _order_or_404(request.user, number), failed=(action, form), status=status
    )


@require_safe
@any_permission_required(CENTRE, HANDLER, "workorders.view_workorder")
def photo(request, pk):
    photo = get_object_or_404(NotePhoto.objects.select_related("note__order"), pk=pk)
    if not permissions.can_view(request.user, photo.note.order):
        raise PermissionDenied
    return private_file_response(photo.file, photo.original_name)
