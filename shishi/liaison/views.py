"""联户 pages: coverage per community (全覆盖), and a community's households
without a member, with pairing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from shishi.core.views import permission_required, submit_to_service
from shishi.org.models import Unit
from shishi.organisation.tables import ListTable, table_response
from shishi.sheets.writers import Column

from .forms import HouseholdImportForm, PairForm
from .selectors import community_coverage, unpaired_households
from .services import COMMUNITY_KINDS, household_pair
from .sheets import households_import


@require_safe
@permission_required("liaison.view_household")
def coverage(request):
    rows = community_coverage()
    uncovered = sum(r["unpaired"] for r in rows)
    table = ListTable(
        view_name="liaison:coverage",
        title="联户覆盖情况",
        columns=[
            Column("社区（村）", 24),
            Column("联户党员", 10),
            Column("户数", 10),
            Column("已联系", 10),
            Column("未联系", 10),
        ],
        objects=rows,
        row=lambda r: [
            r["community"].name,
            r["members"],
            r["households"],
            r["paired"],
            r["unpaired"],
        ],
        highlight=lambda r: r["unpaired"] > 0,
        link=lambda r: reverse("liaison:community", args=[r["community"].pk]),
    )
    lead = (
        _("%(n)d households have no liaison member yet: open their community to pair them.")
        % {"n": uncovered}
        if uncovered
        else _("Every household has a liaison member.")
    )
    return table_response(
        request,
        table,
        template="organisation/list.html",
        context={"heading": gettext_lazy("Liaison coverage"), "lead": lead},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("liaison.view_household")
def community(request, pk: int):
    unit = get_object_or_404(Unit, pk=pk, kind__in=COMMUNITY_KINDS)
    form, import_form, status = None, None, 200
    if request.user.has_perm("liaison.add_household"):
        importing = request.method == "POST" and "import_paired_on" in request.POST
        form = PairForm(
            request.POST if request.method == "POST" and not importing else None, community=unit
        )
        import_form = HouseholdImportForm(
            request.POST if importing else None, request.FILES if importing else None
        )
        if importing:

            def perform(data):
                stored = households_import(
                    community=unit,
                    file=data["file"],
                    name=data["file"].name,
                    paired_on=data["import_paired_on"],
                    actor=request.user,
                )
                messages.success(request, _("%(n)d households imported.") % {"n": stored})

            done, status = submit_to_service(import_form, perform)
            if done:
                return redirect("liaison:community", pk=unit.pk)
        elif request.method == "POST":
            done, status = submit_to_service(
                form, lambda data: household_pair(actor=request.user, **data)
            )
            if done:
                messages.success(request, _("The household is paired."))
                return redirect("liaison:community", pk=unit.pk)
    elif request.method == "POST":
        raise PermissionDenied
    table = ListTable(
        view_name="liaison:coverage",
        title=f"{unit.name}未联系户",
        columns=[Column("地址", 30), Column("户主", 12)],
        objects=unpaired_households(unit).order_by("address"),
        row=lambda h: [h.address, h.head],
        highlight=lambda h: True,
    )
    response = table_response(
        request,
        table,
        template="organisation/list.html",
        context={
            "heading": _("Households of %(community)s without a liaison member")
            % {"community": unit},
            "form": form,
            "form_heading": gettext_lazy("Pair a household"),
            "form_button": gettext_lazy("Pair"),
            "import_form": import_form,
        },
    )
    if request.method == "POST":
        response.status_code = status
    return response
