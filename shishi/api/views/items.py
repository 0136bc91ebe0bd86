"""台账事项: reading ledger items, drafting one, and the actions on one item
(open, claim, weekly reports, submit for verification, settle, send back,
follow-ups, suspend, resume, reopen, cancel), through the ledger services.

Who may do what is the web's item page's rule: the page needs
ledger.view_ledgeritem, each action the predicate of its row in
shishi.dispatch.actions.ACTIONS; the services check both again."""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shishi.categories.models import Category
from shishi.dispatch import selectors
from shishi.dispatch.actions import ACTIONS
from shishi.intake.models import Appeal
from shishi.ledger import permissions, services
from shishi.ledger.lifecycle import ITEM_TRANSITIONS
from shishi.ledger.models import (
    FollowUp,
    ItemKind,
    LedgerItem,
    ProgressReport,
    Satisfaction,
)
from shishi.org.models import Unit
from shishi.triage.services import item_draft_from_appeals

from ..base import ApiView, DetailView, ListView, responses
from ..filters import ItemFilter
from ..serializers import FollowUpOutput, ItemOutput, ReportOutput

VIEW = "ledger.view_ledgeritem"


def item_or_404(number: str) -> LedgerItem:
    return get_object_or_404(LedgerItem, number=number)


def _item_output(item: LedgerItem, code=status.HTTP_200_OK) -> Response:
    fresh = selectors.staff_item_queryset().get(pk=item.pk)
    return Response(ItemOutput(fresh).data, status=code)


# --------------------------------------------------------------- the items


class TargetInput(serializers.Serializer):
    name = serializers.CharField(trim_whitespace=False)
    unit_of_measure = serializers.CharField(trim_whitespace=False)
    target_quantity = serializers.DecimalField(
        max_digits=None, decimal_places=None, coerce_to_string=False
    )


class DraftInput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ItemKind.choices)
    title = serializers.CharField(trim_whitespace=False)
    category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    deadline = serializers.DateTimeField(
        required=False, allow_null=True, help_text="Default: the kind's default deadline."
    )
    lead_unit = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    cooperating_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False
    )
    targets = TargetInput(many=True, required=False)
    appeals = serializers.SlugRelatedField(
        slug_field="tracking_number",
        queryset=Appeal.objects.all(),
        many=True,
        required=False,
        help_text="Tracking numbers of appeals to accept into the new item (needs "
        "intake.triage_appeal); all or none are accepted.",
    )


@extend_schema(tags=["items"])
class ItemList(ListView):
    """GET: every ledger item the caller may see on the web's item pages,
    drafts included. POST: draft a new item with its targets (建账 comes with
    /open/), optionally from appeals."""

    required_perms = {"GET": (VIEW,), "POST": (VIEW, "ledger.add_ledgeritem")}
    serializer_class = ItemOutput
    filterset_class = ItemFilter
    ordering_fields = ["number", "deadline", "created_at", "status"]
    ordering = ["number"]
    InputSerializer = DraftInput

    def get_queryset(self):
        return selectors.staff_item_queryset()

    @extend_schema(responses=responses({200: ItemOutput(many=True)}, bad_input=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=DraftInput, responses=responses({201: ItemOutput}, bad_input=True, not_found=False)
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        appeals = data.pop("appeals", [])
        data["targets"] = [dict(target) for target in data.get("targets", [])]
        if appeals:
            item = item_draft_from_appeals(actor=request.user, appeals=appeals, **data)
        else:
            item = services.item_create(actor=request.user, **data)
        return _item_output(item, status.HTTP_201_CREATED)


@extend_schema(tags=["items"], responses=responses({200: ItemOutput}))
class ItemDetail(DetailView):
    required_perms = (VIEW,)
    serializer_class = ItemOutput
    lookup_field = "number"

    def get_queryset(self):
        return selectors.staff_item_queryset()


# ------------------------------------------------------------ item actions


class _ItemAction(ApiView):
    """One action on one item: the web's rule for whether the caller may take
    it, then the input, then the service (which checks status and rules)."""

    required_perms = (VIEW,)
    action = ""  # its row in shishi.dispatch.actions.ACTIONS

    class InputSerializer(serializers.Serializer):
        pass

    def post(self, request, number):
        item = item_or_404(number)
        if not ACTIONS[self.action].permitted(request.user, item):
            raise PermissionDenied(self.refusal(request.user, item))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform(item, request.user, serializer.validated_data)
        return _item_output(item)

    def refusal(self, user, item) -> str:
        return _("You may not %(action)s “%(item)s”.") % {
            "action": ITEM_TRANSITIONS[self.action].label,
            "item": item,
        }

    def perform(self, item: LedgerItem, actor, data: dict):
        raise NotImplementedError


def _action_schema(cls):
    return extend_schema(
        tags=["items"],
        request=cls.InputSerializer,
        responses=responses({200: ItemOutput}, bad_input=True),
    )(cls)


class NoteInput(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class RequiredNoteInput(serializers.Serializer):
    note = serializers.CharField(allow_blank=True, trim_whitespace=False)


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(allow_blank=True, trim_whitespace=False)


@_action_schema
class ItemOpen(_ItemAction):
    """建账: the draft becomes a public commitment."""

    action = "open"

    def perform(self, item, actor, data):
        services.item_open(item=item, actor=actor)


@_action_schema
class ItemClaim(_ItemAction):
    """领账: the caller (a responsible leader) and a lead unit take the item.
    Of two simultaneous claims one wins; the other gets 400 saying who was first."""

    action = "claim"

    class InputSerializer(serializers.Serializer):
        # The units the web's claim form offers.
        lead_unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.lead_units())

    def refusal(self, user, item):
        return _("Only a responsible leader may claim a ledger item.")

    def perform(self, item, actor, data):
        services.item_claim(item=item, actor=actor, lead_unit=data["lead_unit"])


@_action_schema
class ItemSubmit(_ItemAction):
    """Submit the item for verification (清账 begins)."""

    action = "submit"
    InputSerializer = NoteInput

    def perform(self, item, actor, data):
        services.item_submit_for_verification(item=item, actor=actor, note=data.get("note", ""))


@_action_schema
class ItemSettle(_ItemAction):
    """清账: a verifier other than the owner settles the item on evidence; its
    appeals close and their submitters are owed a notice."""

    action = "settle"

    class InputSerializer(serializers.Serializer):
        evidence = serializers.CharField(
            allow_blank=True, trim_whitespace=False, help_text="What was verified."
        )

    def perform(self, item, actor, data):
        services.item_settle(item=item, actor=actor, evidence=data["evidence"])


@_action_schema
class ItemSendBack(_ItemAction):
    """Send the item back to its lead unit with a note."""

    action = "send_back"
    InputSerializer = RequiredNoteInput

    def perform(self, item, actor, data):
        services.item_send_back(item=item, actor=actor, note=data["note"])


@_action_schema
class ItemSuspend(_ItemAction):
    action = "suspend"
    InputSerializer = ReasonInput

    def perform(self, item, actor, data):
        services.item_suspend(item=item, actor=actor, reason=data["reason"])


@_action_schema
class ItemResume(_ItemAction):
    action = "resume"
    InputSerializer = NoteInput

    def perform(self, item, actor, data):
        services.item_resume(item=item, actor=actor, note=data.get("note", ""))


@_action_schema
class ItemReopen(_ItemAction):
    action = "reopen"
    InputSerializer = ReasonInput

    def perform(self, item, actor, data):
        services.item_reopen(item=item, actor=actor, reason=data["reason"])


@_action_schema
class ItemCancel(_ItemAction):
    """Cancel the item with a reason; its appeals go back to the intake queue."""

    action = "cancel"
    InputSerializer = ReasonInput

    def perform(self, item, actor, data):
        services.item_cancel(item=item, actor=actor, reason=data["reason"])


# --------------------------------------------------------- weekly reports


class ActualInput(serializers.Serializer):
    target = serializers.CharField(help_text="The target's name.")
    quantity = serializers.DecimalField(
        max_digits=None, decimal_places=None, coerce_to_string=False
    )


class ReportInput(serializers.Serializer):
    percent = serializers.IntegerField(help_text="Percent complete, 0 to 100.")
    narrative = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    actuals = ActualInput(many=True, required=False)
    week = serializers.DateField(
        required=False,
        allow_null=True,
        help_text="Any day of the week reported on; default this week.",
    )


@extend_schema(tags=["progress reports"])
class ItemReports(ListView):
    """按周调度. GET: every version of the item's weekly reports, newest week
    first. POST: this week's report (or a past week's); reporting again for
    the same week makes a new version."""

    required_perms = {"GET": (VIEW,), "POST": (VIEW, "ledger.report_progress")}
    serializer_class = ReportOutput
    ordering_fields = ["week_start", "reported_at"]
    ordering = ["-week_start", "-version"]
    filterset_fields = ["is_current"]
    InputSerializer = ReportInput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ProgressReport.objects.none()
        item = item_or_404(self.kwargs["number"])
        return selectors.item_reports(item).select_related("item")

    @extend_schema(responses=responses({200: ReportOutput(many=True)}, bad_input=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(request=ReportInput, responses=responses({201: ReportOutput}, bad_input=True))
    def post(self, request, number):
        item = item_or_404(number)
        permissions.require_report(request.user, item)
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        actuals: dict[str, object] = {}
        for actual in data.get("actuals", []):
            if actual["target"] in actuals:
                raise serializers.ValidationError(
                    {
                        "actuals": [
                            _("The target “%(name)s” is listed twice.") % {"name": actual["target"]}
                        ]
                    }
                )
            actuals[actual["target"]] = actual["quantity"]
        report = services.progress_report_submit(
            item=item,
            actor=request.user,
            percent=data["percent"],
            narrative=data.get("narrative", ""),
            actuals=actuals,
            week=data.get("week"),
        )
        fresh = selectors.item_reports(item).select_related("item").get(pk=report.pk)
        return Response(ReportOutput(fresh).data, status=status.HTTP_201_CREATED)


# --------------------------------------------------------------- follow-ups


class FollowUpInput(serializers.Serializer):
    result = serializers.ChoiceField(choices=Satisfaction.choices)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    appeal = serializers.SlugRelatedField(
        slug_field="tracking_number",
        queryset=Appeal.objects.all(),
        required=False,
        allow_null=True,
        help_text="The appeal whose submitter was asked.",
    )
    reopen = serializers.BooleanField(
        required=False, default=False, help_text="Reopen the item (dissatisfied results only)."
    )


@extend_schema(tags=["follow-ups"])
class ItemFollowUps(ListView):
    """回访. GET: the item's follow-ups, newest first. POST: record one (a
    supervisor's call to an appellant of a settled item)."""

    required_perms = {"GET": (VIEW,), "POST": (VIEW,)}
    serializer_class = FollowUpOutput
    ordering_fields = ["recorded_at"]
    ordering = ["-recorded_at", "-id"]
    filterset_fields = ["result", "by_appellant"]
    InputSerializer = FollowUpInput

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return FollowUp.objects.none()
        item = item_or_404(self.kwargs["number"])
        return selectors.item_followups(item).select_related("item")

    @extend_schema(responses=responses({200: FollowUpOutput(many=True)}, bad_input=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=FollowUpInput, responses=responses({201: FollowUpOutput}, bad_input=True)
    )
    def post(self, request, number):
        item = item_or_404(number)
        if not ACTIONS["followup"].permitted(request.user, item):
            raise PermissionDenied(_("Only a supervisor may record follow-ups."))
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        followup = services.followup_record(
            item=item,
            actor=request.user,
            result=data["result"],
            note=data.get("note", ""),
            appeal=data.get("appeal"),
            reopen=data.get("reopen", False),
        )
        fresh = selectors.item_followups(item).select_related("item").get(pk=followup.pk)
        return Response(FollowUpOutput(fresh).data, status=status.HTTP_201_CREATED)
