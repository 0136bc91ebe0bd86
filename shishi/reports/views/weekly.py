"""The weekly bulletin (周调度通报) page, and its downloads: the same bulletin
as a standalone HTML document, an .xlsx workbook or a PDF. Thin: the figures
come from shishi.reports.weekly."""

import datetime as dt

from django import forms
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from shishi.core.views import permission_required
from shishi.ledger.models import iso_week_label, iso_week_monday, week_start

from .. import weekly
from ..pdf import cjk_font_available

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


class WeekInput(forms.TextInput):
    # The browser's week picker sends and shows 2021-W40 whatever the language.
    input_type = "week"


class BulletinForm(forms.Form):
    week = forms.CharField(
        label=gettext_lazy("Week"),
        required=False,
        widget=WeekInput,
        help_text=gettext_lazy("An ISO week such as 2021-W40. Empty: this week."),
    )
    format = forms.ChoiceField(choices=[("", "")] + [(f, f) for f in CONTENT_TYPES], required=False)

    def __init__(self, *args, today: dt.date, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = today

    def clean_week(self) -> dt.date:
        """The Monday of the week asked for (this week's when none is)."""
        value = self.cleaned_data["week"].strip()
        if not value:
            return week_start(self.today)
        try:
            monday = iso_week_monday(value)
        except ValueError:
            raise forms.ValidationError(
                _("“%(value)s” is not a week: write it as 2021-W40.") % {"value": value[:40]}
            ) from None
        if monday < weekly.EARLIEST_MONDAY:
            raise forms.ValidationError(
                _("The week %(week)s is too early: bulletins start at %(first)s.")
                % {"week": iso_week_label(monday), "first": iso_week_label(weekly.EARLIEST_MONDAY)}
            )
        if monday > self.today:
            raise forms.ValidationError(
                _("The week %(week)s has not started yet.") % {"week": iso_week_label(monday)}
            )
        return monday


def _download(monday: dt.date, fmt: str, bulletin: weekly.Bulletin) -> HttpResponse:
    data = weekly.bulletin_bytes(bulletin, fmt)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, weekly.bulletin_filename(monday, fmt)
    )
    return response


@require_safe
@permission_required("ledger.view_ledgeritem")
def bulletin(request):
    form = BulletinForm(request.GET or None, today=timezone.localdate())
    context = {"form": form, "pdf_available": cjk_font_available()}
    if request.GET and not form.is_valid():
        return render(request, "reports/weekly.html", context, status=400)
    monday = form.cleaned_data["week"] if form.is_bound else week_start(timezone.localdate())
    fmt = form.cleaned_data.get("format") if form.is_bound else ""
    figures = weekly.bulletin_figures(monday)
    if fmt:
        try:
            return _download(monday, fmt, figures)
        except ImproperlyConfigured:  # no Chinese font: the PDF would show empty boxes
            context["pdf_error"] = _(
                "The PDF cannot be made: no Chinese font is installed on the server. "
                "Download the HTML or Excel version, or ask the administrator to install "
                "one (fonts-noto-cjk)."
            )
            return render(request, "reports/weekly.html", context, status=503)
    week = iso_week_label(monday)
    context.update(
        weekly.bulletin_context(figures),
        week=week,
        previous_week=iso_week_label(monday - dt.timedelta(days=7)),
        next_week=iso_week_label(monday + dt.timedelta(days=7))
        if monday + dt.timedelta(days=7) <= timezone.localdate()
        else None,
    )
    return render(request, "reports/weekly.html", context)
