"""The dashboard's one filter: the period in which appeals were received. A GET
form; an invalid period is pointed out and ignored, never an error page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DateInput(forms.DateInput):
    # The browser's date picker sends and expects ISO dates whatever the language.
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class AppealPeriodForm(forms.Form):
    received_from = forms.DateField(label=_("Received from"), required=False, widget=DateInput)
    received_to = forms.DateField(label=_("Received until"), required=False, widget=DateInput)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("received_from"), cleaned.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("The end of the period is before its start."))
        return cleaned

    def period(self) -> dict:
        """The valid bounds of the period, by name; none when it is invalid."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}
