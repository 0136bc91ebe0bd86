"""The hotline page's form: what a clerk types while the caller speaks. It
checks the input's shape; intake's services judge the appeal."""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from shishi.categories.forms import CategoryChoiceField
from shishi.intake.models import BODY_MAX, TITLE_MAX, Channel
from shishi.org.models import Unit
from shishi.triage import selectors as triage

from .services import HOTLINE_CHANNELS


class HotlineForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Channel"),
        choices=[(c.value, c.label) for c in HOTLINE_CHANNELS],
        initial=Channel.HOTLINE,
        widget=forms.RadioSelect,
    )
    submitter_name = forms.CharField(label=_("Caller's name"), max_length=100, required=False)
    submitter_phone = forms.CharField(
        label=_("Caller's phone"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=triage.communities(), required=False
    )
    address = forms.CharField(label=_("Place or address"), max_length=255, required=False)
    body = forms.CharField(
        label=_("What the caller asks for"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    title = forms.CharField(
        label=_("Title"),
        max_length=TITLE_MAX,
        required=False,
        help_text=_("Leave empty to use the first words of the text."),
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=triage.triage_categories(), required=False
    )
    # 一键派单: shown only where the work-order service is installed.
    dispatch_to = forms.ModelChoiceField(
        label=_("Dispatch at once to"),
        queryset=Unit.objects.lead_units(),
        required=False,
        help_text=_("Optional: the unit that handles it (一键派单)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].empty_label = _("Not known")
        self.fields["category"].empty_label = _("Not yet (see the suggestion)")
        self.fields["dispatch_to"].empty_label = _("Do not dispatch now")
        # The suggestions follow the text as it is typed (htmx; without it, the
        # “Check” button does the same).
        self.fields["body"].widget.attrs.update(
            {
                "hx-post": reverse_lazy("hotline:suggest"),
                "hx-trigger": "input changed delay:600ms",
                "hx-target": "#hotline-suggestions",
                "hx-include": "closest form",
                "hx-swap": "outerHTML",
            }
        )
