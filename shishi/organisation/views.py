"""Staff pages of the campaign's organisation: the bodies and their members,
the plans' tasks (overdue ones marked), the leaders' contact units; and the
hub page that links every part the reader may open."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from shishi.core.views import permission_required
from shishi.ledger.models import week_start
from shishi.sheets.writers import Column

from .models import BodyMember, ContactUnit
from .selectors import WEEK_LABELS, tasks_with_documents, week_activities
from .tables import ListTable, table_response

# (url name, label, permission) of each part, for the hub page.
PARTS = (
    ("organisation:bodies", _("Leading group and working groups"), "organisation.view_body"),
    ("organisation:tasks", _("Plans and their tasks"), "organisation.view_documenttask"),
    ("organisation:contacts", _("Leaders' contact units"), "organisation.view_contactunit"),
    ("inspection:visits", _("Inspection visits"), "inspection.view_visit"),
    ("inspection:coverage", _("Inspection coverage"), "inspection.view_visit"),
    ("activities:meetings", _("Meetings"), "activities.view_meeting"),
    ("activities:lectures", _("Lectures"), "activities.view_lecture"),
    ("liaison:coverage", _("Liaison coverage"), "liaison.view_household"),
    ("selection:calls", _("Selections"), "selection.view_nomination"),
)


@require_safe
@login_required
def index(request):
    parts = [(name, label) for name, label, perm in PARTS if request.user.has_perm(perm)]
    if not parts:
        # Residents and anyone without a right to any part: nothing here is theirs.
        raise PermissionDenied
    week = week_start(timezone.localdate())
    counts = week_activities(week)
    return render(
        request,
        "organisation/index.html",
        {
            "parts": parts,
            "week": week,
            "week_counts": [(WEEK_LABELS[k], v) for k, v in counts.items()],
        },
    )


@require_safe
@permission_required("organisation.view_body")
def bodies(request):
    table = ListTable(
        view_name="organisation:bodies",
        title="领导小组及工作组成员",
        columns=[
            Column("机构", 30),
            Column("职责", 30, wrap=True),
            Column("姓名", 10),
            Column("角色", 10),
            Column("单位", 20),
            Column("职务", 16),
        ],
        objects=BodyMember.objects.select_related("body", "unit").order_by(
            "body__sort_order", "body", "role", "pk"
        ),
        row=lambda m: [
            m.body.name,
            m.body.duties,
            m.name,
            m.get_role_display(),
            m.unit.name,
            m.position,
        ],
    )
    return table_response(
        request,
        table,
        template="organisation/list.html",
        context={"heading": _("Leading group and working groups")},
    )


@require_safe
@permission_required("organisation.view_documenttask")
def tasks(request):
    now = timezone.now()
    table = ListTable(
        view_name="organisation:tasks",
        title="方案任务清单",
        columns=[
            Column("任务", 30, wrap=True),
            Column("方案、文件", 36, wrap=True),
            Column("责任单位", 20),
            Column("完成时限", 12),
            Column("状态", 10),
            Column("完成日期", 12),
        ],
        objects=tasks_with_documents(),
        row=lambda t: [
            t.title,
            t.document.title,
            t.unit.name,
            t.deadline,
            _("overdue") if t.is_overdue(now) else t.get_status_display(),
            t.done_on,
        ],
        highlight=lambda t: t.is_overdue(now),
    )
    return table_response(
        request,
        table,
        template="organisation/list.html",
        context={
            "heading": _("Plans and their tasks"),
            "lead": _("The tasks of the “1+2+N” plans; overdue ones are marked like ledger items."),
        },
    )


@require_safe
@permission_required("organisation.view_contactunit")
def contacts(request):
    table = ListTable(
        view_name="organisation:contacts",
        title="区级领导联系单位安排表",
        columns=[Column("区级领导", 12), Column("联系单位", 24), Column("走访次数", 10)],
        objects=ContactUnit.objects.select_related("leader", "unit")
        .annotate(visit_count=Count("visits"))
        .order_by("leader__username", "unit__name"),
        row=lambda c: [str(c.leader), c.unit.name, c.visit_count],
    )
    return table_response(
        request,
        table,
        template="organisation/list.html",
        context={"heading": _("Leaders' contact units")},
    )
