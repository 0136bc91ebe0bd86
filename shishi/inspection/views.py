"""巡回指导 pages: the visits (and recording one, under the round's plan), and
the coverage of every participating unit in every round."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from shishi.core.views import permission_required, submit_to_service
from shishi.organisation.tables import ListTable, table_response
from shishi.sheets.writers import Column

from .forms import RoundFilterForm, VisitForm
from .models import Visit
from .selectors import coverage
from .services import finding_record, visit_record


def _visits_table(objects) -> ListTable:
    return ListTable(
        view_name="inspection:visits",
        title="巡回指导走访记录",
        columns=[
            Column("日期", 12),
            Column("轮次", 16),
            Column("指导组", 16),
            Column("单位", 24),
            Column("方式", 30, wrap=True),
            Column("发现问题", 8),
        ],
        objects=objects,
        row=lambda v: [
            v.visited_on,
            v.plan.round.title,
            v.plan.group.name,
            v.plan.unit.name,
            "、".join(v.method_labels()),
            v.finding_count,
        ],
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("inspection.view_visit")
def visits(request):
    # Its own ids: the visit form below has a field of the same name.
    filter_form = RoundFilterForm(request.GET or None, auto_id="filter_%s")
    objects = Visit.objects.select_related("plan__round", "plan__group", "plan__unit").annotate(
        finding_count=Count("findings")
    )
    if filter_form.is_valid() and filter_form.cleaned_data["round"]:
        objects = objects.filter(plan__round=filter_form.cleaned_data["round"])
    objects = objects.order_by("-visited_on", "-pk")
    may_record = request.user.has_perm("inspection.add_visit")
    form, status = None, 200
    if may_record:
        form = VisitForm(request.POST or None)
        if request.method == "POST":

            @transaction.atomic
            def perform(data):
                visit = visit_record(
                    round=data["round"],
                    group=data["group"],
                    unit=data["unit"],
                    visited_on=data["visited_on"],
                    methods=data["methods"],
                    summary=data["summary"],
                    actor=request.user,
                )
                for text in data["finding_texts"]:
                    finding_record(
                        visit=visit, text=text, category=data["category"], actor=request.user
                    )

            done, status = submit_to_service(form, perform)
            if done:
                messages.success(request, _("The visit is recorded."))
                return redirect("inspection:visits")
    elif request.method == "POST":
        raise PermissionDenied
    response = table_response(
        request,
        _visits_table(objects),
        template="organisation/list.html",
        context={
            "heading": gettext_lazy("Inspection visits"),
            "filter_form": filter_form,
            "form": form,
            "form_heading": gettext_lazy("Record a visit"),
            "form_button": gettext_lazy("Record the visit"),
        },
    )
    response.status_code = status if request.method == "POST" else response.status_code
    return response


@require_safe
@permission_required("inspection.view_visit")
def coverage_view(request):
    rounds, rows = coverage()
    missed = sum(1 for row in rows for cell in row["cells"] if not cell["visited"])
    return render(
        request,
        "inspection/coverage.html",
        {"rounds": rounds, "rows": rows, "missed": missed},
    )
