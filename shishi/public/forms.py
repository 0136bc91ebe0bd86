"""The public site's forms: the ledger filter and the tracking-number form. Both
are GET forms that work without JavaScript."""

from django import forms
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.intake.services import tracking_number_normalise
from shishi.ledger.models import ItemKind, ItemStatus
from shishi.org.models import Unit

from . import selectors

PUBLIC_STATUS_CHOICES = [(s.value, s.label) for s in ItemStatus if s != ItemStatus.DRAFT]


class LedgerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search title or number"), required=False, max_length=100)
    category = forms.ModelChoiceField(
        label=_("Category"), queryset=Category.objects.none(), required=False
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"), queryset=Unit.objects.none(), required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("All"))] + PUBLIC_STATUS_CHOICES, required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("All"))] + list(ItemKind.choices), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Offer only what the public ledger uses: a district has hundreds of units.
        self.fields["category"].queryset = selectors.public_categories()
        self.fields["category"].empty_label = _("All")
        self.fields["lead_unit"].queryset = selectors.public_lead_units()
        self.fields["lead_unit"].empty_label = _("All")

    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link) is dropped, not fatal."""
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class TrackForm(forms.Form):
    number = forms.CharField(
        label=_("Tracking number"),
        max_length=30,
        help_text=_("As given when the appeal was received, e.g. 210601-7KQ2MX."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self) -> str:
        number = tracking_number_normalise(self.cleaned_data["number"])
        if not number:
            raise forms.ValidationError(_("Enter a tracking number."))
        return number
