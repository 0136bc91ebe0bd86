"""The three rates (三率) page, and the same figures as CSV, .xlsx or a
standalone HTML document. Thin: the figures come from shishi.reports.rates."""

import datetime as dt

from django import forms
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_safe

from shishi.core.views import permission_required

from .. import rates

CONTENT_TYPES = {
    "html": "text/html; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# A longer period is a mistake (or a scan of everything): refuse it politely.
MAX_DAYS = 3 * 366


class DateInput(forms.DateInput):
    input_type = "date"


class RatesForm(forms.Form):
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    format = forms.ChoiceField(choices=[("", "")] + [(f, f) for f in CONTENT_TYPES], required=False)

    def __init__(self, data, *, today: dt.date):
        # The query string says from= and to= (to is a Python keyword, from too).
        if data is not None:
            data = {"date_from": data.get("from", ""), "date_to": data.get("to", ""), **data.dict()}
        super().__init__(data)
        self.today = today

    def clean(self):
        cleaned = super().clean()
        first = cleaned.get("date_from") or self.today.replace(month=1, day=1)
        last = cleaned.get("date_to") or self.today
        if last < first:
            raise forms.ValidationError(_("The period ends before it begins."))
        if (last - first).days > MAX_DAYS:
            raise forms.ValidationError(
                _("Choose a period of at most %(days)d days.") % {"days": MAX_DAYS}
            )
        cleaned["date_from"], cleaned["date_to"] = first, last
        return cleaned


@require_safe
@permission_required("ledger.view_ledgeritem")
def rates_page(request):
    today = timezone.localdate()
    form = RatesForm(request.GET if request.GET else None, today=today)
    if form.is_bound and not form.is_valid():
        return render(request, "reports/rates.html", {"form": form}, status=400)
    if form.is_bound:
        first, last = form.cleaned_data["date_from"], form.cleaned_data["date_to"]
        fmt = form.cleaned_data.get("format") or ""
    else:
        first, last, fmt = today.replace(month=1, day=1), today, ""
    report = rates.rates_report(first, last)
    if fmt:
        data = {
            "csv": lambda: rates.rates_csv(report).encode("utf-8"),
            "xlsx": lambda: rates.rates_xlsx(report),
            "html": lambda: rates.rates_html(report).encode("utf-8"),
        }[fmt]()
        response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
        response["Content-Disposition"] = content_disposition_header(
            True, rates.rates_filename(first, last, fmt)
        )
        return response
    context = {
        "form": form,
        "query": f"from={first.isoformat()}&to={last.isoformat()}",
        **rates.rates_context(report),
    }
    return render(request, "reports/rates.html", context)
