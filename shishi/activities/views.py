"""Pages for the meetings and the lectures (recording a lecture with its
attendance)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_safe

from shishi.core.views import permission_required, submit_to_service
from shishi.organisation.tables import ListTable, table_response
from shishi.sheets.writers import Column

from .forms import LectureForm, LectureImportForm, MeetingFilterForm
from .models import Lecture, Meeting
from .services import lecture_record
from .sheets import lectures_import


@require_safe
@permission_required("activities.view_meeting")
def meetings(request):
    filter_form = MeetingFilterForm(request.GET or None)
    objects = Meeting.objects.select_related("unit").annotate(matter_count=Count("matters"))
    if filter_form.is_valid() and filter_form.cleaned_data["kind"]:
        objects = objects.filter(kind=filter_form.cleaned_data["kind"])
    table = ListTable(
        view_name="activities:meetings",
        title="会议记录",
        columns=[
            Column("日期", 12),
            Column("类别", 20),
            Column("会议", 40, wrap=True),
            Column("单位", 24),
            Column("参会人数", 10),
            Column("立行立改事项", 12),
        ],
        objects=objects.order_by("-held_on", "-pk"),
        row=lambda m: [
            m.held_on,
            m.get_kind_display(),
            m.title,
            m.unit.name,
            m.participants,
            m.matter_count,
        ],
    )
    return table_response(
        request,
        table,
        template="organisation/list.html",
        context={"heading": gettext_lazy("Meetings"), "filter_form": filter_form},
    )


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("activities.view_lecture")
def lectures(request):
    form, import_form, status = None, None, 200
    if request.user.has_perm("activities.add_lecture"):
        importing = request.method == "POST" and "file" in request.FILES
        form = LectureForm(request.POST if request.method == "POST" and not importing else None)
        import_form = LectureImportForm(
            request.POST if importing else None, request.FILES if importing else None
        )
        if importing:

            def perform(data):
                stored = lectures_import(
                    file=data["file"], name=data["file"].name, actor=request.user
                )
                messages.success(request, _("%(n)d lectures imported.") % {"n": stored})

            done, status = submit_to_service(import_form, perform)
            if done:
                return redirect("activities:lectures")
        elif request.method == "POST":
            done, status = submit_to_service(
                form, lambda data: lecture_record(actor=request.user, **data)
            )
            if done:
                messages.success(request, _("The lecture is recorded."))
                return redirect("activities:lectures")
    elif request.method == "POST":
        raise PermissionDenied
    table = ListTable(
        view_name="activities:lectures",
        title="宣讲记录",
        columns=[
            Column("日期", 12),
            Column("宣讲团", 24),
            Column("宣讲人", 10),
            Column("题目", 30, wrap=True),
            Column("地点", 30),
            Column("受众人次", 10),
        ],
        objects=Lecture.objects.select_related("group", "speaker").order_by("-held_on", "-pk"),
        row=lambda lec: [
            lec.held_on,
            lec.group.name,
            lec.speaker.name,
            lec.title,
            lec.place,
            lec.attendance,
        ],
    )
    response = table_response(
        request,
        table,
        template="organisation/list.html",
        context={
            "heading": gettext_lazy("Lectures"),
            "form": form,
            "form_heading": gettext_lazy("Record a lecture"),
            "form_button": gettext_lazy("Record the lecture"),
            "import_form": import_form,
        },
    )
    if request.method == "POST":
        response.status_code = status
    return response
