"""Staff pages: the programmes with their computed figures, the rows behind
every figure (exportable), the registers' Excel import and export, and an
enterprise visit where a problem is recorded and solved on the spot. Every
write goes through shishi.programmes.services."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from shishi.categories.models import Category
from shishi.core.views import permission_required, submit_to_service
from shishi.ledger.models import ItemStatus, LedgerItem
from shishi.org.models import Unit, User
from shishi.sheets.writers import (
    Column,
    XlsxWriter,
    csv_lines,
    csv_response,
    export_filename,
    xlsx_response,
)

from . import permissions, services
from .figures import RESULTS, result_values
from .models import (
    Asset,
    ClaimApplication,
    ClaimPoint,
    ClaimStaff,
    ClaimStation,
    EnterpriseVisit,
    ForumAttendee,
    HouseholdVisit,
    Programme,
    QuestionnaireResponse,
    ServiceBundle,
    ServiceItem,
)
from .results import shown
from .sheets import REGISTERS, ImportRefused, register_csv, register_import, register_xlsx

# Staff who see the ledger (permissions.can_view) see programmes and their records.
staff_required = permission_required("ledger.view_ledgeritem")
EXPORT_MAX_ROWS = 100_000


def _page(request, rows):
    return Paginator(rows, settings.SHISHI_PAGE_SIZE).get_page(request.GET.get("page"))


def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _hours(application: ClaimApplication) -> str:
    if application.item.settled_at is None:
        return ""
    seconds = (application.item.settled_at - application.applied_at).total_seconds()
    return f"{seconds / 3600:.1f}"


# The columns of each kind of row a figure counts: (header, value of a row).
COLUMNS = {
    LedgerItem: [
        (gettext_lazy("Number"), lambda r: r.number),
        (gettext_lazy("Title"), lambda r: r.title),
        (gettext_lazy("Status"), lambda r: r.get_status_display()),
        (gettext_lazy("Lead unit"), lambda r: r.lead_unit.name if r.lead_unit_id else ""),
        (gettext_lazy("Settled at"), lambda r: _when(r.settled_at)),
        (gettext_lazy("Solved on the spot"), lambda r: "是" if r.settled_on_spot else ""),
    ],
    EnterpriseVisit: [
        (gettext_lazy("Visited on"), lambda r: r.visited_on),
        (gettext_lazy("Enterprise"), lambda r: r.enterprise),
        (gettext_lazy("Visitors"), lambda r: r.visitors),
        (gettext_lazy("Problems found"), lambda r: r.problem_count),
    ],
    ClaimApplication: [
        (gettext_lazy("Number"), lambda r: r.item.number),
        (gettext_lazy("Applicant"), lambda r: r.applicant),
        (gettext_lazy("Point"), lambda r: r.point.name),
        (gettext_lazy("Station"), lambda r: r.station.name),
        (gettext_lazy("Applied at"), lambda r: _when(r.applied_at)),
        (gettext_lazy("Paid at"), lambda r: _when(r.item.settled_at)),
        (gettext_lazy("Hours to pay"), _hours),
    ],
    ClaimPoint: [
        (gettext_lazy("Name"), lambda r: r.name),
        (
            gettext_lazy("Village or community"),
            lambda r: r.community.name if r.community_id else "",
        ),
        (gettext_lazy("Station"), lambda r: r.station.name),
    ],
    ClaimStation: [
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Street"), lambda r: r.unit.name),
    ],
    ClaimStaff: [
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Role"), lambda r: r.get_role_display()),
        (gettext_lazy("Station"), lambda r: r.station.name),
    ],
    QuestionnaireResponse: [
        (gettext_lazy("Number"), lambda r: r.pk),
        (gettext_lazy("Batch"), lambda r: r.event.title if r.event_id else ""),
        (gettext_lazy("Community"), lambda r: r.community.name if r.community_id else ""),
        (gettext_lazy("Answered on"), lambda r: r.answered_on),
    ],
    HouseholdVisit: [
        (gettext_lazy("Visited on"), lambda r: r.visited_on),
        (gettext_lazy("Household"), lambda r: r.household),
        (gettext_lazy("Community"), lambda r: r.community.name if r.community_id else ""),
        (gettext_lazy("Visitor"), lambda r: r.visitor.get_full_name() or r.visitor.username),
    ],
    ForumAttendee: [
        (gettext_lazy("Forum"), lambda r: r.event.title),
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Affiliation"), lambda r: r.affiliation),
    ],
    ServiceItem: [
        (gettext_lazy("Code"), lambda r: r.code),
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Department"), lambda r: r.department),
        (gettext_lazy("Online"), lambda r: "是" if r.online else "否"),
        (gettext_lazy("On the phone"), lambda r: "是" if r.mobile else "否"),
    ],
    ServiceBundle: [
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("On the phone"), lambda r: "是" if r.mobile else "否"),
    ],
    Asset: [
        (gettext_lazy("Code"), lambda r: r.code),
        (gettext_lazy("Kind"), lambda r: r.get_kind_display()),
        (gettext_lazy("Name"), lambda r: r.name),
        (gettext_lazy("Connected / in use"), lambda r: "是" if r.connected else "否"),
        (gettext_lazy("Quantity"), lambda r: r.quantity),
    ],
}
# Where a row of each kind is shown in full.
ROW_LINKS = {
    LedgerItem: lambda r: reverse("dispatch:item", args=[r.number]),
    ClaimApplication: lambda r: reverse("dispatch:item", args=[r.item.number]),
    EnterpriseVisit: lambda r: reverse("programmes:visit", args=[r.pk]),
}
RELATED = {
    LedgerItem: ["lead_unit"],
    ClaimApplication: ["item", "point", "station"],
    ClaimPoint: ["community", "station"],
    ClaimStation: ["unit"],
    ClaimStaff: ["station"],
    QuestionnaireResponse: ["event", "community"],
    HouseholdVisit: ["community", "visitor"],
    ForumAttendee: ["event"],
}


def _figure_rows(key: str):
    rows = RESULTS[key].rows()
    model = rows.model
    if RELATED.get(model):
        rows = rows.select_related(*RELATED[model])
    if model is EnterpriseVisit:
        rows = rows.annotate(problem_count=Count("problems"))
    return rows.order_by("-pk")


@require_safe
@staff_required
def programme_list(request):
    programmes = Programme.objects.annotate(
        opened=Count(
            "items", filter=~Q(items__status__in=[ItemStatus.DRAFT, ItemStatus.CANCELLED])
        ),
        settled=Count("items", filter=Q(items__status=ItemStatus.SETTLED)),
    ).select_related("lead_unit")
    values = result_values()
    figures = [(RESULTS[key], shown(key, values[key])) for key in RESULTS]
    return render(
        request,
        "programmes/list.html",
        {"programmes": programmes, "figures": figures, "registers": REGISTERS.values()},
    )


@require_safe
@staff_required
def programme_detail(request, code):
    programme = get_object_or_404(Programme.objects.select_related("lead_unit"), code=code)
    items = programme.items.public().exclude(status=ItemStatus.CANCELLED)
    now = timezone.now()
    counts = {
        "opened": items.count(),
        "settled": items.filter(status=ItemStatus.SETTLED).count(),
        "on_spot": items.filter(status=ItemStatus.SETTLED, settled_on_spot=True).count(),
        "overdue": items.overdue(now).count(),
        "enterprise_visits": programme.enterprise_visits.count(),
        "stations": programme.stations.count(),
        "claims": ClaimApplication.objects.filter(station__programme=programme).count(),
        "questionnaires": programme.questionnaires.count(),
    }
    page = _page(request, items.select_related("lead_unit").order_by("-pk"))
    return render(
        request,
        "programmes/detail.html",
        {"programme": programme, "counts": counts, "page": page, "now": now},
    )


@require_safe
@staff_required
def figure(request, key):
    if key not in RESULTS:
        raise Http404
    result = RESULTS[key]
    rows = _figure_rows(key)
    columns = COLUMNS[rows.model]
    fmt = request.GET.get("format")
    if fmt in ("xlsx", "csv"):
        rows = rows[:EXPORT_MAX_ROWS]
        headers = [str(header) for header, _value in columns]
        values = ([value(row) for _header, value in columns] for row in rows.iterator(2000))
        stem = result.label
        if fmt == "csv":
            return csv_response(csv_lines(headers, values), export_filename(stem, "csv"))

        def write(file):
            writer = XlsxWriter(
                [Column(h, 16) for h in headers], sheet_title=stem, title_rows=[stem]
            )
            for row in values:
                writer.append(row)
            writer.save(file)

        return xlsx_response(write, export_filename(stem, "xlsx"))
    page = _page(request, rows)
    link = ROW_LINKS.get(rows.model)
    table = [
        (link(row) if link else "", [value(row) for _header, value in columns])
        for row in page.object_list
    ]
    return render(
        request,
        "programmes/figure.html",
        {
            "result": result,
            "value": shown(key, result.value(RESULTS[key].rows())),
            "headers": [header for header, _value in columns],
            "table": table,
            "page": page,
        },
    )


# ------------------------------------------------------------ registers


class UploadForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("Spreadsheet (.xlsx or .csv)"))
    dry_run = forms.BooleanField(label=gettext_lazy("Only check, store nothing"), required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def register_import_view(request, register):
    if register not in REGISTERS:
        raise Http404
    reg = REGISTERS[register]
    if not permissions.can_import(request.user, reg.model._meta.model_name):
        raise PermissionDenied
    form = UploadForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        if upload.size > settings.SHISHI_IMPORT_MAX_BYTES:
            form.add_error("file", _("The file is too large for the web; use the command line."))
        else:
            try:
                report = register_import(
                    reg,
                    upload,
                    name=upload.name,
                    actor=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportRefused as refused:
                form.add_error("file", str(refused))
            if report is not None and not report.ok:
                status = 400
            elif report is not None and report.committed:
                messages.success(
                    request,
                    _("%(n)d rows imported into %(register)s.")
                    % {"n": report.created, "register": reg.title},
                )
                return redirect("programmes:import", register=register)
    return render(
        request,
        "programmes/import.html",
        {"register": reg, "form": form, "report": report, "count": reg.model.objects.count()},
        status=status,
    )


@require_safe
@staff_required
def register_export(request, register):
    if register not in REGISTERS:
        raise Http404
    reg = REGISTERS[register]
    if request.GET.get("format") == "csv":
        return csv_response(register_csv(reg), export_filename(reg.title, "csv"))
    return xlsx_response(lambda file: register_xlsx(reg, file), export_filename(reg.title, "xlsx"))


# ------------------------------------------------------------ an enterprise visit


class ProblemForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Problem"), max_length=200)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.filter(is_active=True)
    )


class OnSpotForm(forms.Form):
    problem = forms.IntegerField(widget=forms.HiddenInput)
    owner = forms.ModelChoiceField(
        label=gettext_lazy("Responsible leader"),
        queryset=User.objects.filter(is_active=True, groups__name="领办领导").distinct(),
    )
    lead_unit = forms.ModelChoiceField(
        label=gettext_lazy("Unit that solved it"), queryset=Unit.objects.filter(is_active=True)
    )
    evidence = forms.CharField(
        label=gettext_lazy("Evidence"), widget=forms.Textarea(attrs={"rows": 2})
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=500)
    files = forms.FileField(label=gettext_lazy("Photos or PDF"), required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def visit_detail(request, pk):
    visit = get_object_or_404(EnterpriseVisit.objects.select_related("programme"), pk=pk)
    may_record = permissions.can_record_enterprise_visit(request.user)
    problem_form = ProblemForm(prefix="problem")
    spot_form = OnSpotForm(prefix="spot")
    status = 200
    if request.method == "POST":
        if not may_record:
            raise PermissionDenied
        action = request.POST.get("action")
        if action == "problem":
            problem_form = ProblemForm(request.POST, prefix="problem")
            done, status = submit_to_service(
                problem_form,
                lambda data: services.enterprise_problem_record(
                    visit=visit, title=data["title"], category=data["category"], actor=request.user
                ),
            )
            if done:
                messages.success(request, _("The problem is on the ledger."))
                return redirect("programmes:visit", pk=visit.pk)
        elif action == "on_spot":
            spot_form = OnSpotForm(request.POST, request.FILES, prefix="spot")

            def solve(data):
                problem = visit.problems.filter(pk=data["problem"]).first()
                if problem is None:
                    raise Http404
                upload = request.FILES.get("spot-files")
                services.enterprise_problem_solve_on_spot(
                    problem=problem,
                    actor=request.user,
                    owner=data["owner"],
                    lead_unit=data["lead_unit"],
                    evidence=data["evidence"],
                    note=data["note"],
                    files=[upload] if upload else [],
                )

            done, status = submit_to_service(spot_form, solve)
            if done:
                messages.success(request, _("The problem is settled as solved on the spot."))
                return redirect("programmes:visit", pk=visit.pk)
        else:
            raise Http404
    problems = visit.problems.select_related("item", "item__lead_unit").order_by("pk")
    return render(
        request,
        "programmes/visit.html",
        {
            "visit": visit,
            "problems": problems,
            "problem_form": problem_form,
            "spot_form": spot_form,
            "may_record": may_record,
            "open_statuses": [ItemStatus.OPEN, ItemStatus.CLAIMED, ItemStatus.IN_PROGRESS],
        },
        status=status,
    )


# ------------------------------------------------------------ a claim application


class ClaimForm(forms.Form):
    point = forms.ModelChoiceField(
        label=gettext_lazy("Registration point"),
        queryset=ClaimPoint.objects.select_related("station").order_by("name"),
    )
    applicant = forms.CharField(label=gettext_lazy("Applicant"), max_length=100)
    title = forms.CharField(label=gettext_lazy("What is claimed"), max_length=200)
    category = forms.ModelChoiceField(
        label=gettext_lazy("Category"), queryset=Category.objects.filter(is_active=True)
    )
    amount = forms.DecimalField(
        label=gettext_lazy("Amount claimed (yuan)"), required=False, min_value=0, max_digits=12
    )


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def claim_new(request):
    if not permissions.can_apply_claim(request.user):
        raise PermissionDenied
    form = ClaimForm(request.POST or None)
    status = 200
    if request.method == "POST":
        made = []
        done, status = submit_to_service(
            form,
            lambda data: made.append(
                services.claim_apply(
                    point=data["point"],
                    applicant=data["applicant"],
                    title=data["title"],
                    category=data["category"],
                    amount=data["amount"],
                    actor=request.user,
                )
            ),
        )
        if done:
            application = made[0]
            messages.success(
                request,
                _(
                    "Claim %(number)s is registered and routed to %(station)s; it is due in 24 hours."
                )
                % {"number": application.item.number, "station": application.station},
            )
            return redirect("dispatch:item", application.item.number)
    return render(request, "programmes/claim_new.html", {"form": form}, status=status)


# ------------------------------------------------------------ recording a visit


class VisitForm(forms.Form):
    programme = forms.ModelChoiceField(
        label=gettext_lazy("Programme"), queryset=Programme.objects.filter(is_active=True)
    )
    enterprise = forms.CharField(label=gettext_lazy("Enterprise"), max_length=200)
    visitors = forms.CharField(label=gettext_lazy("Visitors"), max_length=200)
    visited_on = forms.DateField(
        label=gettext_lazy("Visited on"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    notes = forms.CharField(label=gettext_lazy("Notes"), widget=forms.Textarea, required=False)


@require_http_methods(["GET", "HEAD", "POST"])
@staff_required
def visit_new(request):
    if not permissions.can_record_enterprise_visit(request.user):
        raise PermissionDenied
    form = VisitForm(request.POST or None, initial={"visited_on": timezone.localdate()})
    status = 200
    if request.method == "POST":
        made = []
        done, status = submit_to_service(
            form,
            lambda data: made.append(services.enterprise_visit_record(actor=request.user, **data)),
        )
        if done:
            return redirect("programmes:visit", pk=made[0].pk)
    return render(request, "programmes/visit_new.html", {"form": form}, status=status)
