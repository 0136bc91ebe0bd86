from django import forms
from django.utils.translation import gettext_lazy as _

from .models import TEXT_MAX, OrderStatus


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Why the item is late, what is being done, and by when it will be finished."),
    )


class SendBackForm(forms.Form):
    reason = forms.CharField(
        label=_("Why the answer is not enough"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CloseForm(forms.Form):
    note = forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required when closing an order that has not been answered."),
    )


STATUS_FILTERS = [("open", _("open")), *OrderStatus.choices, ("", _("all"))]


class SupervisorFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)

    def status_value(self) -> str:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["status"]
        return "open"
