"""The work-order pages' forms: they check the input's shape; the services
judge whether the move is allowed."""

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shishi.categories.forms import CategoryChoiceField
from shishi.categories.models import Category
from shishi.ledger.models import Satisfaction
from shishi.org.models import Unit

from .models import REASON_MAX, TEXT_MAX


def _units():
    return Unit.objects.active().order_by("kind", "name")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class DispatchForm(forms.Form):
    unit = forms.ModelChoiceField(label=_("Lead unit (主办)"), queryset=_units())
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("Cooperating units (协办)"),
        queryset=_units(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    instructions = forms.CharField(
        label=_("Instructions to the unit"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RedispatchForm(DispatchForm):
    reason = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)


class EmptyForm(forms.Form):
    pass


class NoteForm(forms.Form):
    text = forms.CharField(
        label=_("What was done"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    photos = MultipleFileField(label=_("Photos"), required=False)


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Reply to the resident (答复意见)"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Say what was done, what was found or when it will be done."),
    )


class ReasonForm(forms.Form):
    # Not required here: the service says so, with the field named.
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ExtensionForm(forms.Form):
    new_due = forms.DateTimeField(
        label=_("New deadline"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d"],
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def clean_new_due(self):
        value = self.cleaned_data["new_due"]
        if timezone.is_naive(value):
            value = timezone.make_aware(value)
        return value


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve")), ("0", _("Refuse"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Reason"), required=False, max_length=REASON_MAX)


class ReviewForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("Review"),
        choices=[("1", _("Accept the reply")), ("0", _("Send it back to the unit"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Reason (when sending back)"), required=False, max_length=REASON_MAX
    )


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(
        label=_("What the resident said"), choices=Satisfaction.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=REASON_MAX)


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search number or title"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = CategoryChoiceField(
        label=_("Category"),
        required=False,
        queryset=Category.objects.active().select_related("parent__parent"),
    )
    dispatched_from = forms.DateField(
        label=_("Dispatched from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    dispatched_to = forms.DateField(
        label=_("Dispatched to"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def filters(self) -> dict:
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        out = {}
        if data.get("q"):
            out["q"] = data["q"].strip()
        if data.get("category"):
            out["category"] = data["category"]
        for name in ("dispatched_from", "dispatched_to"):
            if data.get(name):
                out[name] = data[name]
        return out


def day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))
