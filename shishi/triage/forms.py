"""The clerk's forms: the queue filter (GET), the actions on one appeal and on
a selection, and the new item drafted from appeals. They check the input's
shape; the services judge whether the action is allowed."""

import datetime as dt

from django import forms
from django.urls import reverse_lazy
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shishi.categories.forms import CategoryChoiceField
from shishi.intake.models import BODY_MAX, Appeal, AppealStatus, Channel
from shishi.ledger.models import TEXT_MAX, TITLE_MAX, ItemKind, KindPolicy
from shishi.ledger.permissions import can_open
from shishi.org.models import Unit

from . import selectors

MAX_TARGETS = 5


def _item_input() -> forms.TextInput:
    """A text field for an item's number; htmx fills its <datalist> with the
    matching items as the clerk types (the page provides the datalist)."""
    return forms.TextInput(
        attrs={
            "autocomplete": "off",
            "list": "item-suggestions",
            "hx-get": reverse_lazy("triage:item_suggestions"),
            "hx-trigger": "input changed delay:300ms",
            "hx-target": "#item-suggestions",
            "hx-swap": "innerHTML",
        }
    )


# A new item gathers at most this many appeals (a page of the queue is 50).
MAX_APPEALS_PER_ITEM = 200


class QueueFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search title, text or tracking number"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("To do (received or triaged)")), ("all", _("All"))]
        + list(AppealStatus.choices),
    )
    channel = forms.ChoiceField(
        label=_("Channel"), required=False, choices=[("", _("All"))] + list(Channel.choices)
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=selectors.triage_categories(), required=False
    )
    community = forms.ModelChoiceField(
        label=_("Community"), queryset=selectors.communities(), required=False
    )
    received_from = forms.DateField(
        label=_("Received from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    received_to = forms.DateField(
        label=_("Received until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("All")
        self.fields["community"].empty_label = _("All")

    def filters(self) -> dict:
        """The valid filters; an invalid one (a stale link) is dropped, not fatal."""
        self.is_valid()
        values = {name: value for name, value in self.cleaned_data.items() if value}
        if "q" in values:
            values["q"] = values["q"].strip()
        return values


# ---------------------------------------------------------- one appeal's actions


class TriageForm(forms.Form):
    category = CategoryChoiceField(label=_("Category"), queryset=selectors.triage_categories())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("Choose a category")


class MergeForm(forms.Form):
    """The item to merge into: its number, or words of its title. A number that
    matches exactly is the item; otherwise the view lists the matches to choose
    from."""

    item = forms.CharField(
        label=_("Ledger item"),
        max_length=TITLE_MAX,
        help_text=_("The item's number (e.g. SS-2021-0001) or words of its title."),
        widget=_item_input(),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.matches: list = []

    def clean(self):
        cleaned = super().clean()
        text = cleaned.get("item")
        if text:
            item = selectors.item_by_number(text)
            if item is None:
                self.matches = selectors.items_matching(text)
                if self.matches:
                    message = _("No open item has exactly this number: choose one of the matches.")
                else:
                    message = _("No open item has this number or title.")
                self.add_error("item", message)
            cleaned["item"] = item
        return cleaned


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Sent to the submitter; the appeal is then answered without an item."),
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Sent to the submitter."),
    )


class ReleaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for releasing"),
        max_length=BODY_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Why it does not belong to this item; kept in its history."),
    )


# ------------------------------------------------------------- bulk actions


class BulkAction:
    TRIAGE = "triage"
    ACCEPT = "accept"
    REJECT = "reject"
    NEW_ITEM = "new_item"


class BulkForm(forms.Form):
    appeals = forms.ModelMultipleChoiceField(
        label=_("Selected appeals"),
        queryset=Appeal.objects.only("pk", "tracking_number", "status").order_by(
            "received_at", "pk"
        ),
        error_messages={"required": _("Select at least one appeal.")},
    )
    action = forms.ChoiceField(
        label=_("Action"),
        choices=[
            ("", _("Choose an action")),
            (BulkAction.TRIAGE, _("Set the category")),
            (BulkAction.ACCEPT, _("Merge into an existing item")),
            (BulkAction.REJECT, _("Reject")),
            (BulkAction.NEW_ITEM, _("Start a new item from them")),
        ],
        error_messages={"required": _("Choose an action.")},
    )
    category = CategoryChoiceField(
        label=_("Category"), queryset=selectors.triage_categories(), required=False
    )
    item = forms.CharField(
        label=_("Item number"),
        max_length=50,
        required=False,
        widget=_item_input(),
    )
    reason = forms.CharField(
        label=_("Reason for rejecting"),
        max_length=BODY_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 1}),
    )
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].empty_label = _("Choose a category")

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action == BulkAction.TRIAGE and not cleaned.get("category"):
            self.add_error("category", _("Choose the category to set."))
        elif action == BulkAction.ACCEPT:
            number = (cleaned.get("item") or "").strip()
            if not number:
                self.add_error("item", _("Enter the number of the item to merge into."))
            else:
                item = selectors.item_by_number(number)
                if item is None:
                    self.add_error(
                        "item",
                        _("No open item has the number “%(number)s”.") % {"number": number},
                    )
                cleaned["item"] = item
        elif action == BulkAction.REJECT and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting."))
        appeals = cleaned.get("appeals")
        if appeals is not None and len(appeals) > MAX_APPEALS_PER_ITEM:
            self.add_error(
                "appeals",
                ngettext(
                    "Select at most %(count)d appeal at a time.",
                    "Select at most %(count)d appeals at a time.",
                    MAX_APPEALS_PER_ITEM,
                )
                % {"count": MAX_APPEALS_PER_ITEM},
            )
        return cleaned


# ----------------------------------------------------- a new item from appeals


def _duration_text(duration: dt.timedelta) -> str:
    if duration < dt.timedelta(days=1):
        hours = round(duration.total_seconds() / 3600)
        return ngettext("%(count)d hour", "%(count)d hours", hours) % {"count": hours}
    return ngettext("%(count)d day", "%(count)d days", duration.days) % {"count": duration.days}


class ItemDraftForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"))
    title = forms.CharField(label=_("Title"), max_length=TITLE_MAX)
    category = CategoryChoiceField(label=_("Category"), queryset=selectors.triage_categories())
    description = forms.CharField(
        label=_("Description"),
        max_length=TEXT_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    deadline = forms.DateField(
        label=_("Deadline"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    lead_unit = forms.ModelChoiceField(
        label=_("Lead unit"),
        queryset=Unit.objects.lead_units(),
        required=False,
        help_text=_("Optional: the leader who claims the item confirms or changes it."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        policies = {p.kind: p for p in KindPolicy.objects.all()}
        kinds = [
            (k.value, k.label) for k in ItemKind if k.value in policies and can_open(user, k.value)
        ]
        self.fields["kind"].choices = kinds
        defaults = "; ".join(
            f"{label} {_duration_text(policies[value].default_deadline)}" for value, label in kinds
        )
        self.fields["deadline"].help_text = _(
            "Leave empty for the kind's default time limit (%(defaults)s)."
        ) % {"defaults": defaults}
        self.fields["lead_unit"].empty_label = _("Not yet chosen")

    def clean_deadline(self):
        deadline = self.cleaned_data.get("deadline")
        if deadline is not None and deadline < timezone.localdate():
            raise forms.ValidationError(_("The deadline is in the past."))
        return deadline

    def deadline_datetime(self) -> dt.datetime | None:
        """The deadline is the end of the chosen day, local time."""
        day = self.cleaned_data.get("deadline")
        if day is None:
            return None
        return timezone.make_aware(dt.datetime.combine(day, dt.time(23, 59)))


class TargetForm(forms.Form):
    """One measurable target. A row left empty is no target; a row begun must
    be complete (the fields are not marked required, since most rows are not)."""

    name = forms.CharField(label=_("Target"), max_length=100, required=False)
    unit_of_measure = forms.CharField(label=_("Unit of measure"), max_length=20, required=False)
    target_quantity = forms.DecimalField(
        label=_("Quantity"), min_value=0, max_digits=16, decimal_places=2, required=False
    )

    def clean(self):
        cleaned = super().clean()
        if not self.has_changed():
            return cleaned
        for name in self.fields:
            if cleaned.get(name) in (None, "") and name not in self.errors:
                self.add_error(name, _("Fill in this field too, or empty the row."))
        return cleaned

    def target(self) -> dict | None:
        """The row as `item_create` takes a target, or None for an empty row."""
        data = getattr(self, "cleaned_data", None) or {}
        if not data.get("name"):
            return None
        return {
            "name": data["name"],
            "unit_of_measure": data["unit_of_measure"],
            "target_quantity": data["target_quantity"],
        }


TargetFormSet = forms.formset_factory(
    TargetForm, extra=MAX_TARGETS, max_num=MAX_TARGETS, validate_max=True
)
