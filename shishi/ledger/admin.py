"""Admin for the ledger: items (with their targets, reports, evidence and
follow-ups), kind policies, weekly reports and follow-ups.

An item's lifecycle fields are read-only here; its status moves only through
the actions, which call the ledger services (建账 open, 领账 claim, 清账 settle,
suspend, cancel…). New items, reports and follow-ups are made by the services
too, from plain "add" forms."""

import re

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers, widgets
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shishi.categories.models import Category
from shishi.core.admin import (
    ReadOnlyInline,
    ServiceAddMixin,
    ShishiHistoryAdmin,
    action_form_data,
    apply_service,
    save_changed_fields,
)
from shishi.intake.models import Appeal
from shishi.org.models import Unit

from . import permissions
from .models import (
    Evidence,
    FollowUp,
    ItemKind,
    ItemStatus,
    KindPolicy,
    LedgerItem,
    ProgressActual,
    ProgressReport,
    Satisfaction,
    Target,
)
from .services import (
    TargetSpec,
    followup_record,
    item_cancel,
    item_claim,
    item_create,
    item_open,
    item_reopen,
    item_resume,
    item_send_back,
    item_settle,
    item_start,
    item_submit_for_verification,
    item_suspend,
    progress_report_submit,
)

# Text lines the add forms read: "新增学位, 6360, 个" and "新增学位: 3100".
_SEPARATORS = re.compile(r"\s*[,，\t]\s*")
_TARGET_LINE = re.compile(r"^(?P<name>.+?)\s+(?P<quantity>[0-9][0-9.]*)\s*(?P<uom>\S+)$")
_ACTUAL_LINE = re.compile(r"^(?P<name>.+?)\s*[:：,，\s]\s*(?P<quantity>[0-9][0-9.]*)$")


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


# ---------------------------------------------------------------- items


class ItemActionForm(helpers.ActionForm):
    """What some actions need: the lead unit of a claim, the reason for a
    suspension, cancellation, reopening or sending back, the evidence of a
    settlement, the note of a submission."""

    unit = forms.ModelChoiceField(
        label=_("Lead unit (to claim)"), queryset=Unit.objects.active(), required=False
    )
    note = forms.CharField(label=_("Reason, note or evidence"), required=False, max_length=10_000)


class LedgerItemAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=ItemKind.choices)
    title = forms.CharField(label=_("title"), max_length=200)
    description = forms.CharField(label=_("description"), widget=forms.Textarea, required=False)
    category = forms.ModelChoiceField(label=_("category"), queryset=Category.objects.active())
    deadline = forms.SplitDateTimeField(
        label=_("deadline"),
        required=False,
        widget=widgets.AdminSplitDateTime,
        help_text=_("Leave empty for the default deadline of the kind."),
    )
    lead_unit = forms.ModelChoiceField(
        label=_("lead unit"), queryset=Unit.objects.active(), required=False
    )
    cooperating_units = forms.ModelMultipleChoiceField(
        label=_("cooperating units"),
        queryset=Unit.objects.active(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold down “Control”, or “Command” on a Mac, to select more than one."),
    )
    targets = forms.CharField(
        label=_("measurable targets"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("One per line: name, quantity, unit of measure (e.g. 新增学位, 6360, 个)."),
    )

    def clean_targets(self) -> list[TargetSpec]:
        specs = []
        for number, line in enumerate(_lines(self.cleaned_data["targets"]), start=1):
            parts = _SEPARATORS.split(line)
            if len(parts) != 3:
                match = _TARGET_LINE.match(line)
                parts = [match["name"], match["quantity"], match["uom"]] if match else []
            if len(parts) != 3 or not all(parts):
                raise ValidationError(
                    gettext("Line %(number)d is not “name, quantity, unit”: %(line)s")
                    % {"number": number, "line": line}
                )
            specs.append(TargetSpec(parts[0], parts[2], parts[1]))
        return specs


class LedgerItemChangeForm(forms.ModelForm):
    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if "deadline" in self.changed_data and deadline <= timezone.now():
            raise ValidationError(gettext("The deadline must be in the future."))
        return deadline


class OverdueFilter(admin.SimpleListFilter):
    title = _("overdue")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.overdue()
        if self.value() == "no":
            return queryset.exclude(pk__in=LedgerItem.objects.overdue().values("pk"))
        return queryset


class LedgerInlineMixin:
    """Whoever may see the item sees its parts (the roles hold no per-part
    view permission)."""

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ledger.view_ledgeritem") or super().has_view_permission(
            request, obj
        )


class TargetInline(LedgerInlineMixin, admin.TabularInline):
    """Targets are the commitment: editable while the item is a draft, fixed
    once it is public. Actuals come only from weekly reports."""

    model = Target
    extra = 0
    can_delete = False
    fields = ["name", "unit_of_measure", "target_quantity", "actual_quantity", "sort_order"]

    @staticmethod
    def _is_draft(item) -> bool:
        return item is None or item.status == ItemStatus.DRAFT

    def get_readonly_fields(self, request, obj=None):
        return ["actual_quantity"] if self._is_draft(obj) else self.fields

    def has_add_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._is_draft(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False


class ProgressReportInline(LedgerInlineMixin, ReadOnlyInline):
    model = ProgressReport
    fields = ["week", "version", "is_current", "percent", "reported_by", "reported_at"]
    readonly_fields = fields

    @admin.display(description=_("ISO week"))
    def week(self, report):
        return report.week_label

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("reported_by")


class EvidenceInline(LedgerInlineMixin, ReadOnlyInline):
    """What was attached. The files themselves are not served from here."""

    model = Evidence
    fields = ["original_name", "purpose", "report", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by", "report__item")


class FollowUpInline(LedgerInlineMixin, ReadOnlyInline):
    model = FollowUp
    fields = ["result", "appeal", "by_appellant", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recorded_by", "appeal")


# Which fields an item's admin form may change, by status: a draft is still
# being written; once public, only its text and its helpers may be clarified.
_DRAFT_EDITABLE = ["title", "description", "category", "deadline", "lead_unit", "cooperating_units"]
_PUBLIC_EDITABLE = ["description", "cooperating_units"]


@admin.register(LedgerItem)
class LedgerItemAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    class Media:
        css = {"all": ["shishi/admin.css"]}

    form = LedgerItemChangeForm
    # Kind is in the number's prefix and category in the filters: the title gets the room.
    list_display = ["number", "title", "status", "owner", "lead_unit", "deadline", "overdue"]
    list_filter = [
        "status",
        "kind",
        OverdueFilter,
        "category",
        ("lead_unit", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["number", "title"]
    list_select_related = ["owner", "lead_unit"]
    fieldsets = [
        (None, {"fields": ["number", "kind", "title", "description", "category"]}),
        (
            _("Responsibility"),
            {"fields": ["status", "lead_unit", "cooperating_units", "owner", "deadline"]},
        ),
        (
            _("Lifecycle"),
            {
                "fields": [
                    "status_note",
                    "created_by",
                    "created_at",
                    "opened_at",
                    "claimed_by",
                    "claimed_at",
                    "verifier",
                    "settled_at",
                    "settlement_evidence",
                ]
            },
        ),
    ]
    inlines = [TargetInline, ProgressReportInline, EvidenceInline, FollowUpInline]
    action_form = ItemActionForm
    actions = [
        "open_items",
        "claim",
        "start",
        "submit_for_verification",
        "send_back",
        "settle",
        "suspend",
        "resume",
        "cancel",
        "reopen",
    ]

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, item: LedgerItem) -> bool:
        return item.is_overdue()

    def get_readonly_fields(self, request, obj=None):
        is_draft = obj is None or obj.status == ItemStatus.DRAFT
        editable = _DRAFT_EDITABLE if is_draft else _PUBLIC_EDITABLE
        return [
            name
            for _title, options in self.fieldsets
            for name in options["fields"]
            if name not in editable
        ]

    def save_model(self, request, obj, form, change):
        save_changed_fields(request, obj, form, reason="edited in admin")

    # -- the permissions the actions need (see permissions.py; the services check again)

    def has_claim_permission(self, request):
        return request.user.has_perm("ledger.claim_ledgeritem")

    def has_report_permission(self, request):
        return request.user.has_perm("ledger.report_progress")

    def has_verify_permission(self, request):
        return request.user.has_perm("ledger.verify_ledgeritem")

    def has_manage_permission(self, request):
        return request.user.has_perm("ledger.manage_ledgeritem")

    # -- add: through item_create

    def get_add_form(self, request):
        kinds = [
            (k, label) for k, label in ItemKind.choices if permissions.can_open(request.user, k)
        ]
        return type(
            "LedgerItemAddForm",
            (LedgerItemAddForm,),
            {"kind": forms.ChoiceField(label=_("kind"), choices=kinds)},
        )

    def create_from_form(self, request, form):
        data = dict(form.cleaned_data)
        if data["deadline"] is None:
            del data["deadline"]
        return item_create(actor=request.user, **data)

    # -- actions: through the ledger services

    def _note(self, request) -> str:
        return action_form_data(self, request).get("note", "")

    def _apply_with_note(self, request, queryset, service, keyword: str, done: str) -> None:
        """Call `service(item=…, actor=…, <keyword>=the note given)` for each item."""
        text = self._note(request)
        apply_service(
            self,
            request,
            queryset,
            lambda item: service(item=item, actor=request.user, **{keyword: text}),
            done,
        )

    @admin.action(description=_("Open (建账): make the drafts public"), permissions=["add"])
    def open_items(self, request, queryset):
        apply_service(
            self,
            request,
            queryset,
            lambda item: item_open(item=item, actor=request.user),
            gettext("%(object)s: opened."),
        )

    @admin.action(description=_("Claim (领账) as responsible leader"), permissions=["claim"])
    def claim(self, request, queryset):
        chosen = action_form_data(self, request).get("unit")
        own_units = list(Unit.objects.active().filter(memberships__user=request.user))

        def claim_one(item):
            # The unit chosen next to the action, else the one the item names,
            # else the claimant's own unit if they belong to exactly one.
            lead_unit = chosen or item.lead_unit or (own_units[0] if len(own_units) == 1 else None)
            if lead_unit is None:
                raise ValidationError(
                    gettext("It names no lead unit: choose one next to the action.")
                )
            return item_claim(item=item, actor=request.user, lead_unit=lead_unit)

        apply_service(self, request, queryset, claim_one, gettext("%(object)s: claimed."))

    @admin.action(description=_("Start work"), permissions=["report"])
    def start(self, request, queryset):
        apply_service(
            self,
            request,
            queryset,
            lambda item: item_start(item=item, actor=request.user),
            gettext("%(object)s: work started."),
        )

    @admin.action(description=_("Submit for verification"), permissions=["report"])
    def submit_for_verification(self, request, queryset):
        self._apply_with_note(
            request,
            queryset,
            item_submit_for_verification,
            "note",
            gettext("%(object)s: submitted for verification."),
        )

    @admin.action(
        description=_("Send back for more work (give the reason)"), permissions=["verify"]
    )
    def send_back(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_send_back, "note", gettext("%(object)s: sent back.")
        )

    @admin.action(description=_("Settle (清账) on the evidence given"), permissions=["verify"])
    def settle(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_settle, "evidence", gettext("%(object)s: settled.")
        )

    @admin.action(description=_("Suspend (give the reason)"), permissions=["manage"])
    def suspend(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_suspend, "reason", gettext("%(object)s: suspended.")
        )

    @admin.action(description=_("Resume suspended items"), permissions=["manage"])
    def resume(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_resume, "note", gettext("%(object)s: resumed.")
        )

    @admin.action(description=_("Cancel (give the reason)"), permissions=["manage"])
    def cancel(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_cancel, "reason", gettext("%(object)s: cancelled.")
        )

    @admin.action(description=_("Reopen (give the reason)"), permissions=["manage"])
    def reopen(self, request, queryset):
        self._apply_with_note(
            request, queryset, item_reopen, "reason", gettext("%(object)s: reopened.")
        )


# ---------------------------------------------------------------- kind policies


@admin.register(KindPolicy)
class KindPolicyAdmin(ShishiHistoryAdmin):
    list_display = ["kind", "number_prefix", "default_deadline", "requires_targets"]
    filter_horizontal = ["openers"]

    def get_readonly_fields(self, request, obj=None):
        return ["kind"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(request, obj, form, reason="edited in admin")
        else:
            super().save_model(request, obj, form, change)


# ---------------------------------------------------------------- weekly reports


class ProgressReportAddForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("ledger item"),
        queryset=LedgerItem.objects.active().order_by("number"),
        help_text=_("Items being worked on (claimed or in progress)."),
    )
    percent = forms.IntegerField(label=_("percent complete"), min_value=0, max_value=100)
    week = forms.DateField(
        label=_("week"),
        required=False,
        widget=widgets.AdminDateWidget,
        help_text=_("Any day of the week reported on; empty for this week."),
    )
    narrative = forms.CharField(label=_("narrative"), widget=forms.Textarea, required=False)
    actuals = forms.CharField(
        label=_("target actuals"),
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text=_("One per line: target name and actual quantity (e.g. 新增学位: 3100)."),
    )

    def clean_actuals(self) -> dict[str, str]:
        actuals = {}
        for number, line in enumerate(_lines(self.cleaned_data["actuals"]), start=1):
            match = _ACTUAL_LINE.match(line)
            if match is None:
                raise ValidationError(
                    gettext("Line %(number)d is not “target name: quantity”: %(line)s")
                    % {"number": number, "line": line}
                )
            actuals[match["name"]] = match["quantity"]
        return actuals


class ProgressActualInline(LedgerInlineMixin, ReadOnlyInline):
    model = ProgressActual
    fields = ["target", "quantity"]
    readonly_fields = fields
    show_change_link = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("target")


@admin.register(ProgressReport)
class ProgressReportAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    """按周调度. A report is never edited: reporting again for the same week makes
    a new version and keeps the old one."""

    add_form = ProgressReportAddForm
    list_display = [
        "item",
        "week_label",
        "version",
        "is_current",
        "percent",
        "reported_by",
        "reported_at",
    ]
    list_filter = ["is_current", "week_start"]
    search_fields = ["item__number", "item__title"]
    list_select_related = ["item", "reported_by"]
    fields = [
        "item",
        "week_start",
        "version",
        "is_current",
        "percent",
        "narrative",
        "reported_by",
        "reported_at",
    ]
    readonly_fields = fields
    inlines = [ProgressActualInline]

    @admin.display(description=_("week"), ordering="week_start")
    def week_label(self, report: ProgressReport) -> str:
        return report.week_label

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ledger.view_ledgeritem") or super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return request.user.has_perm("ledger.report_progress")

    def has_change_permission(self, request, obj=None):
        return False

    def create_from_form(self, request, form):
        data = form.cleaned_data
        return progress_report_submit(
            item=data["item"],
            actor=request.user,
            percent=data["percent"],
            narrative=data["narrative"],
            actuals=data["actuals"],
            week=data["week"],
        )


# ---------------------------------------------------------------- follow-ups


class FollowUpAddForm(forms.Form):
    item = forms.ModelChoiceField(
        label=_("ledger item"),
        queryset=LedgerItem.objects.filter(status=ItemStatus.SETTLED).order_by("number"),
        help_text=_("Follow-ups are recorded for settled items."),
    )
    tracking_number = forms.CharField(
        label=_("appeal tracking number"),
        required=False,
        help_text=_("The appeal whose submitter was asked, if any."),
    )
    result = forms.ChoiceField(label=_("result"), choices=Satisfaction.choices)
    note = forms.CharField(label=_("note"), widget=forms.Textarea, required=False)
    reopen = forms.BooleanField(
        label=_("reopen the item"),
        required=False,
        help_text=_("Only with a dissatisfied result; the note becomes the reason."),
    )

    def clean_tracking_number(self):
        from shishi.intake.services import tracking_number_normalise

        number = tracking_number_normalise(self.cleaned_data["tracking_number"])
        if not number:
            return None
        appeal = Appeal.objects.filter(tracking_number=number).first()
        if appeal is None:
            raise ValidationError(gettext("No appeal has this tracking number."))
        return appeal


@admin.register(FollowUp)
class FollowUpAdmin(ServiceAddMixin, ShishiHistoryAdmin):
    """回访. Recorded through the service, never edited."""

    add_form = FollowUpAddForm
    list_display = ["item", "result", "appeal", "by_appellant", "recorded_by", "recorded_at"]
    list_filter = ["result", "by_appellant"]
    search_fields = ["item__number", "item__title", "appeal__tracking_number"]
    list_select_related = ["item", "appeal", "recorded_by"]
    fields = ["item", "appeal", "result", "by_appellant", "note", "recorded_by", "recorded_at"]
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("ledger.record_followup") or super().has_view_permission(
            request, obj
        )

    def has_add_permission(self, request):
        return request.user.has_perm("ledger.record_followup")

    def has_change_permission(self, request, obj=None):
        return False

    def create_from_form(self, request, form):
        data = form.cleaned_data
        return followup_record(
            item=data["item"],
            actor=request.user,
            result=data["result"],
            note=data["note"],
            appeal=data["tracking_number"],
            reopen=data["reopen"],
        )
