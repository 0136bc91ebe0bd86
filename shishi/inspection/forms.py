from django import forms
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.org.models import Unit

from .models import InspectionGroup, InspectionRound, Method


class VisitForm(forms.Form):
    round = forms.ModelChoiceField(label=_("Round"), queryset=InspectionRound.objects.all())
    group = forms.ModelChoiceField(label=_("Group"), queryset=InspectionGroup.objects.all())
    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.active())
    visited_on = forms.DateField(
        label=_("Visited on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    methods = forms.MultipleChoiceField(
        label=_("Methods"), choices=Method.choices, widget=forms.CheckboxSelectMultiple
    )
    summary = forms.CharField(
        label=_("Summary"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    findings = forms.CharField(
        label=_("Findings"),
        help_text=_("One per line; each becomes a rectification item (立行立改) led by the unit."),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    category = forms.ModelChoiceField(
        label=_("Category of the findings"),
        queryset=Category.objects.filter(is_active=True),
        required=False,
    )

    def clean(self):
        data = super().clean()
        data["finding_texts"] = [
            line.strip() for line in data.get("findings", "").splitlines() if line.strip()
        ]
        if data["finding_texts"] and not data.get("category"):
            self.add_error("category", _("Choose the category of the findings."))
        return data


class RoundFilterForm(forms.Form):
    round = forms.ModelChoiceField(
        label=_("Round"), queryset=InspectionRound.objects.all(), required=False
    )
