"""The supervisors' orders, the units' orders to answer, and one order with the
actions its status and the reader's rights allow. Every change goes through
shishi.supervision.services."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST, require_safe

from shishi.core.views import any_permission_required, permission_required, submit_to_service

from . import permissions, selectors
from .forms import AnswerForm, CloseForm, SendBackForm, SupervisorFilterForm
from .models import OrderStatus, SupervisionOrder
from .services import order_answer, order_close, order_send_back


def _page(request, orders):
    return Paginator(orders, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get("page"))


@require_safe
@permission_required("supervision.manage_supervisionorder")
def supervisor_orders(request):
    # Without a status in the query (the first visit, or a page link) the list is the open orders.
    form = SupervisorFilterForm(request.GET if "status" in request.GET else None)
    page = _page(request, selectors.orders_of_supervisor(request.user, status=form.status_value()))
    return render(
        request, "supervision/orders.html", {"form": form, "page": page, "mine": "supervisor"}
    )


@require_safe
@permission_required("supervision.answer_supervisionorder")
def orders_to_answer(request):
    include_closed = request.GET.get("closed") == "1"
    page = _page(request, selectors.orders_to_answer(request.user, include_closed=include_closed))
    context = {"page": page, "mine": "unit", "include_closed": include_closed}
    return render(request, "supervision/orders.html", context)


# What each action needs: its form, its service, and the message when done.
ACTIONS = {
    "answer": (
        AnswerForm,
        lambda order, user, data: order_answer(order=order, actor=user, answer=data["answer"]),
        permissions.can_answer,
        OrderStatus.ISSUED,
    ),
    "send_back": (
        SendBackForm,
        lambda order, user, data: order_send_back(order=order, actor=user, reason=data["reason"]),
        permissions.can_decide,
        OrderStatus.ANSWERED,
    ),
    "close": (
        CloseForm,
        lambda order, user, data: order_close(order=order, actor=user, note=data["note"]),
        permissions.can_decide,
        None,
    ),
}
DONE = {
    "answer": _("The answer to %(order)s is sent to its supervisor."),
    "send_back": _("%(order)s is sent back to %(unit)s."),
    "close": _("%(order)s is closed."),
}


def _order_or_404(request, pk) -> SupervisionOrder:
    order = get_object_or_404(
        SupervisionOrder.objects.select_related(
            "item", "item__owner", "appeal", "unit", "supervisor", "answered_by"
        ),
        pk=pk,
    )
    # An order the reader may not see does not exist for them.
    if not permissions.can_view(request.user, order):
        raise Http404
    return order


def _order_page(request, order, *, failed=None, status=200):
    forms = {}
    for name, (form_class, _perform, allowed, source) in ACTIONS.items():
        if order.status == OrderStatus.CLOSED or (source and order.status != source):
            continue
        if not allowed(request.user, order):
            continue
        forms[name] = failed[1] if failed and failed[0] == name else form_class(prefix=name)
    context = {
        "order": order,
        "forms": forms,
        "answer_overdue": order.is_answer_overdue(),
        "history": selectors.order_history(order)[:50],
    }
    return render(request, "supervision/order.html", context, status=status)


@require_safe
@any_permission_required("supervision.manage_supervisionorder", "supervision.view_supervisionorder")
def order_detail(request, pk):
    return _order_page(request, _order_or_404(request, pk))


@require_POST
@any_permission_required(
    "supervision.manage_supervisionorder", "supervision.answer_supervisionorder"
)
def order_action(request, pk, action):
    form_class, perform, allowed, _source = ACTIONS[action]
    order = _order_or_404(request, pk)
    if not allowed(request.user, order):
        raise PermissionDenied
    form = form_class(request.POST, prefix=action)
    done, status = submit_to_service(form, lambda data: perform(order, request.user, data))
    if done:
        messages.success(request, DONE[action] % {"order": order.number, "unit": order.unit})
        return redirect("supervision:order", pk=order.pk)
    return _order_page(request, _order_or_404(request, pk), failed=(action, form), status=status)
