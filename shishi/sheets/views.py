"""Importing a spreadsheet on the web: upload, choose the columns (appeals),
check every row, then import all of it or nothing, with progress on the page."""

from itertools import islice

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from shishi.core.views import any_permission_required, permission_required
from shishi.intake.models import Channel

from . import jobs
from .appeals import appeals_preview
from .forms import ColumnsForm, UploadForm
from .mappings import mapping_guess, mappings_all
from .models import ImportJob, ImportKind, ImportMapping, ImportStatus
from .results import ImportRefused
from .tables import open_table

IMPORT_PERMISSIONS = ("sheets.import_appeals", "sheets.import_items")
# Errors listed on the page; the error sheet has all that were kept.
ERRORS_SHOWN = 100


def _job_for_user(user, pk: int) -> ImportJob:
    """Only whoever uploaded a file sees its import (it may hold private data)."""
    job = ImportJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise Http404
    return job


def _read_headers(upload, name: str, kind: str) -> list[str]:
    expect = ("项目名称",) if kind == ImportKind.ITEMS else ()
    with open_table(upload, name=name, expect=expect) as table:
        return list(table.headers)


@require_http_methods(["GET", "HEAD", "POST"])
@any_permission_required(*IMPORT_PERMISSIONS)
def start(request):
    form = UploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        upload, kind = form.cleaned_data["file"], form.cleaned_data["kind"]
        try:
            headers = _read_headers(upload, upload.name, kind)
        except ImportRefused as err:
            form.add_error("file", str(err))
        else:
            upload.seek(0)
            job = ImportJob.objects.create(
                kind=kind,
                file=upload,
                original_name=upload.name,
                size=upload.size,
                headers=headers,
                created_by=request.user,
            )
            if kind == ImportKind.APPEALS:
                return redirect("sheets:columns", job.pk)
            jobs.job_start(job, commit=False)
            return redirect("sheets:job", job.pk)
    recent = ImportJob.objects.filter(created_by=request.user)[:10]
    return render(request, "sheets/start.html", {"form": form, "recent": recent})


def _first_rows(job: ImportJob, count: int) -> list[list]:
    with job.file.open("rb") as source, open_table(source, name=job.original_name) as table:
        return [values for _row, values in islice(table.rows(), count)]


@require_http_methods(["GET", "HEAD", "POST"])
@permission_required("sheets.import_appeals")
def columns(request, pk: int):
    job = _job_for_user(request.user, pk)
    if job.kind != ImportKind.APPEALS or job.is_running or job.status == ImportStatus.DONE:
        return redirect("sheets:job", job.pk)
    _name, guessed = mapping_guess(job.headers)
    form = ColumnsForm(
        request.POST or None,
        headers=job.headers,
        mappings=mappings_all(),
        guessed=guessed,
        can_save=request.user.has_perm("sheets.add_importmapping"),
    )
    if request.method == "POST" and form.is_valid():
        mapping = form.cleaned_data["mapping"]
        if form.cleaned_data["preset"]:
            job.mapping = form.cleaned_data["preset"]
        elif form.cleaned_data.get("save_as"):
            saved = ImportMapping.objects.create(
                name=mapping.name,
                columns={field: list(headers) for field, headers in mapping.columns.items()},
                defaults=mapping.defaults,
            )
            job.mapping = saved.name
        else:
            job.mapping = {
                "columns": {field: list(headers) for field, headers in mapping.columns.items()},
                "defaults": mapping.defaults,
            }
        job.save(update_fields=["mapping"])
        jobs.job_start(job, commit=False)
        return redirect("sheets:job", job.pk)
    try:
        sample, refused = _first_rows(job, 3), ""
    except ImportRefused as err:
        # Broken rows under good headers: the reason, not a server error.
        sample, refused = [], str(err)
    context = {"job": job, "form": form, "sample": sample, "refused": refused}
    return render(request, "sheets/columns.html", context, status=400 if refused else 200)


@require_safe
@any_permission_required(*IMPORT_PERMISSIONS)
def job(request, pk: int):
    job = _job_for_user(request.user, pk)
    report = jobs.report_from_data(job.original_name, job.report) if job.report else None
    rows_done, fraction = jobs.job_progress(job)
    preview = []
    if job.kind == ImportKind.APPEALS and job.status == ImportStatus.CHECKED:
        with job.file.open("rb") as source:
            preview = appeals_preview(source, name=job.original_name, mapping=job.mapping)
    context = {
        "job": job,
        "preview": preview,
        "channels": dict(Channel.choices),
        "report": report,
        "errors": report.errors[:ERRORS_SHOWN] if report else [],
        "stale": jobs.job_is_stale(job),
        "rows_done": rows_done,
        "percent": round(100 * fraction) if fraction is not None else None,
        "new_rows": report.valid - report.skipped if report else 0,
        "can_commit": (
            job.status == ImportStatus.CHECKED
            and report is not None
            and report.ok
            and report.valid > report.skipped
        ),
    }
    return render(request, "sheets/job.html", context)


@require_POST
@any_permission_required(*IMPORT_PERMISSIONS)
def check(request, pk: int):
    job = _job_for_user(request.user, pk)
    if not jobs.job_start(job, commit=False):
        messages.warning(request, _("This import is already being checked or imported."))
    return redirect("sheets:job", job.pk)


@require_POST
@any_permission_required(*IMPORT_PERMISSIONS)
def commit(request, pk: int):
    job = _job_for_user(request.user, pk)
    if not jobs.job_start(job, commit=True):
        messages.warning(
            request, _("This file can be imported only once, after a check without errors.")
        )
    return redirect("sheets:job", job.pk)


@require_safe
@any_permission_required(*IMPORT_PERMISSIONS)
def error_sheet(request, pk: int):
    from .writers import errors_xlsx

    job = _job_for_user(request.user, pk)
    if not job.report or not job.report.get("error_count"):
        raise Http404
    report = jobs.report_from_data(job.original_name, job.report)
    response = HttpResponse(
        errors_xlsx(report),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    response["Content-Disposition"] = f'attachment; filename="import-{job.pk}-errors.xlsx"'
    return response
