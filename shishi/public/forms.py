"""The public site's forms: the ledger filter and the tracking-number form (GET
forms), filing an appeal and rating its result (POST forms). All work without
JavaScript."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.intake.models import BODY_MAX, EMAIL_MAX, TITLE_MAX
from shishi.intake.services import MAX_APPEAL_PHOTOS, tracking_number_normalise
from shishi.ledger.models import TEXT_MAX, ItemKind, ItemStatus, Satisfaction
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


class MultiplePhotoInput(forms.FileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several files in one <input type=file multiple>. The form checks each is a
    non-empty upload; what kind of file it really is, the service checks."""

    widget = MultiplePhotoInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        cleaned = []
        for upload in files:
            cleaned.append(super().clean(upload, initial))
        return cleaned


class CommunityChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Unit) -> str:
        # Two communities may share a name in different streets.
        return f"{obj.parent.name} / {obj.name}" if obj.parent_id else obj.name


class AppealForm(forms.Form):
    """An appeal filed on the web, with or without an account."""

    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        help_text=_("In a few words: what should be done, and where."),
    )
    body = forms.CharField(
        label=_("Details"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("What is the problem, since when, and what would solve it."),
    )
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        required=False,
        help_text=_("If you are not sure, leave it empty: a clerk will choose."),
    )
    community = CommunityChoiceField(
        label=_("Community or village"), queryset=Unit.objects.none(), required=False
    )
    address = forms.CharField(
        label=_("Address or place"),
        max_length=255,
        required=False,
        help_text=_("E.g. the building, the crossing or the landmark nearby."),
    )
    photos = MultiplePhotoField(
        label=_("Choose photos"),
        required=False,
        widget=MultiplePhotoInput(attrs={"accept": "image/*"}),
    )
    submitter_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    submitter_phone = forms.CharField(
        label=_("Phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    submitter_email = forms.EmailField(
        label=_("E-mail"),
        max_length=EMAIL_MAX,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        category = self.fields["category"]
        choices = selectors.filing_category_choices()
        category.queryset = Category.objects.filter(pk__in=[pk for pk, _label in choices])
        # The labels show each category's place in the tree, which str() does not.
        category.choices = [("", _("Not sure"))] + choices
        community = self.fields["community"]
        community.queryset = selectors.filing_communities()
        community.empty_label = _("Not given")
        self.fields["photos"].help_text = _(
            "Up to %(count)d photos (JPEG, PNG, GIF or WebP), at most %(size)d MB each."
        ) % {
            "count": MAX_APPEAL_PHOTOS,
            "size": settings.SHISHI_APPEAL_PHOTO_MAX_BYTES // (1024 * 1024),
        }

    def service_kwargs(self) -> dict:
        """The cleaned data as appeal_submit's arguments."""
        return {name: value for name, value in self.cleaned_data.items() if name != "photos"}


class RatingForm(forms.Form):
    """回访 by the resident: how satisfied they are with the settled result."""

    result = forms.ChoiceField(
        label=_("How satisfied are you with the result?"),
        choices=Satisfaction.choices,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Anything you want to add"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # The key from the resident's notice (shishi.intake.rating_keys), carried
    # from the link to the form; empty when the resident is signed in.
    key = forms.CharField(max_length=64, required=False, widget=forms.HiddenInput)
