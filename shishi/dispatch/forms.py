"""The forms of the work pages: the list filters (GET), the weekly report, and
the small forms of the actions on one item. They check the input's shape; the
ledger services judge whether the action is allowed."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shishi.categories.forms import CategoryChoiceField
from shishi.categories.models import Category
from shishi.ledger.models import TEXT_MAX, ItemKind, ItemStatus, Satisfaction, Target
from shishi.org.models import Unit
from shishi.public.templatetags.shishi_public import quantity

from . import selectors

# One report or settlement takes at most this many files (the server also caps
# the request's size; the service checks each file's kind and size).
MAX_FILES = 10
EVIDENCE_ACCEPT = "image/jpeg,image/png,image/gif,image/webp,application/pdf,.pdf"


class _FilterForm(forms.Form):
    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link) is dropped, not fatal."""
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value}
        if "q" in values:
            values["q"] = values["q"].strip()
        return values


class MyItemsFilterForm(_FilterForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + list(ItemStatus.choices), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
    missing = forms.BooleanField(label=_("Missing this week's report only"), required=False)


class ClaimableFilterForm(_FilterForm):
    q = forms.CharField(
        label=_("Search title or number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + list(ItemKind.choices), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only the categories of items waiting for a leader.
        self.fields["category"].queryset = selectors.claimable_categories().select_related(
            "parent__parent"
        )
        self.fields["category"].empty_label = _("All")


# -------------------------------------------------------------- file uploads


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe); cleans to a list."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "widget", MultipleFileInput(attrs={"multiple": True, "accept": EVIDENCE_ACCEPT})
        )
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        single = super().clean
        cleaned = [single(f, initial) for f in files]
        if len(cleaned) > MAX_FILES:
            raise forms.ValidationError(
                ngettext(
                    "Attach at most %(count)d file.", "Attach at most %(count)d files.", MAX_FILES
                )
                % {"count": MAX_FILES}
            )
        return cleaned


# -------------------------------------------------------------- the report


def target_field_name(target: Target) -> str:
    return f"actual_{target.pk}"


class ReportForm(forms.Form):
    """按周调度: this week's percent, an actual for each target, a narrative, files."""

    percent = forms.IntegerField(
        label=_("Percent complete"),
        min_value=0,
        max_value=100,
        help_text=_("A whole number from 0 to 100."),
        widget=forms.NumberInput(attrs={"step": 1, "min": 0, "max": 100}),
    )
    narrative = forms.CharField(
        label=_("What was done this week"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    evidence = MultipleFileField(
        label=_("Evidence files"),
        help_text=_("Photos (JPEG, PNG, GIF, WebP) or PDF documents, up to 20 MB each."),
    )

    def __init__(self, *args, targets: list[Target], **kwargs):
        super().__init__(*args, **kwargs)
        self.targets = targets
        for target in targets:
            self.fields[target_field_name(target)] = forms.DecimalField(
                label=_("%(name)s, in %(unit)s (target %(quantity)s)")
                % {
                    "name": target.name,
                    "unit": target.unit_of_measure,
                    "quantity": quantity(target.target_quantity),
                },
                min_value=0,
                max_digits=16,
                decimal_places=2,
                required=False,
                # 2500.00 is shown as 2500, as the rest of the ledger writes it.
                initial=quantity(target.actual_quantity) or None,
                widget=forms.NumberInput(attrs={"step": "any", "min": 0}),
            )

    def target_fields(self):
        return [self[target_field_name(t)] for t in self.targets]

    def actuals(self) -> dict[int, object]:
        """The actuals given, by target id (an empty input leaves a target as it was)."""
        values = {t.pk: self.cleaned_data.get(target_field_name(t)) for t in self.targets}
        return {pk: value for pk, value in values.items() if value is not None}


# ----------------------------------------------------- one item's actions


class ConfirmForm(forms.Form):
    """An action that needs nothing but the button (opening a draft)."""


class ClaimForm(forms.Form):
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.lead_units(),
        empty_label=_("Choose the lead unit"),
        error_messages={"required": _("Choose the lead unit that will carry the item.")},
    )


class NoteForm(forms.Form):
    """An optional note (submit for verification, resume)."""

    note = forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SendBackForm(forms.Form):
    note = forms.CharField(
        label=_("What is still missing"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Say why the item is sent back.")},
    )


class ReasonForm(forms.Form):
    """A required reason (suspend, cancel, reopen)."""

    reason = forms.CharField(
        label=_("Reason"),
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give the reason.")},
    )


class SettleForm(forms.Form):
    evidence = forms.CharField(
        label=_("What was verified"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Describe what you checked, attach files, or both."),
    )
    files = MultipleFileField(label=_("Verification files"))


class FollowUpForm(forms.Form):
    result = forms.ChoiceField(
        label=_("Result"),
        choices=[("", _("Choose the result"))] + list(Satisfaction.choices),
        error_messages={"required": _("Choose the result of the follow-up.")},
    )
    note = forms.CharField(
        label=_("Note"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    reopen = forms.BooleanField(
        label=_("Reopen the item (only when the result is dissatisfied)"), required=False
    )
