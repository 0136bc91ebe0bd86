"""诉求: reading appeals, recording one, and the intake desk's actions on one
(triage, accept into an item, answer, reject, close), through the intake
services. Contact data only for those with intake.view_submitter_contact."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shishi.categories.models import Category
from shishi.intake import services
from shishi.intake.models import Appeal, Channel
from shishi.ledger.models import LedgerItem
from shishi.org.models import Unit

from ..base import ApiView, DetailView, ListView, responses
from ..filters import AppealFilter
from ..serializers import CONTACT_PERMISSION, AppealOutput

# Reading appeals takes what the intake pages (shishi.triage) take: the
# clerk's right. Other staff see the appeals of their items on the item pages.
VIEW = "intake.triage_appeal"


def appeal_queryset():
    # What a row shows in one query; the same rows the admin lists to intake.view_appeal.
    return Appeal.objects.select_related("category", "community", "item")


def appeal_or_404(tracking_number: str) -> Appeal:
    number = services.tracking_number_normalise(tracking_number)
    return get_object_or_404(appeal_queryset(), tracking_number=number)


def _output(request, appeal: Appeal, code=status.HTTP_200_OK) -> Response:
    fresh = appeal_queryset().get(pk=appeal.pk)
    return Response(AppealOutput(fresh, context={"request": request}).data, status=code)


class SubmitInput(serializers.Serializer):
    title = serializers.CharField(trim_whitespace=False)
    body = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API)
    category = serializers.PrimaryKeyRelatedField(
        queryset=Category.objects.all(), required=False, allow_null=True
    )
    community = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), required=False, allow_null=True
    )
    address = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    lat = serializers.DecimalField(
        max_digits=20, decimal_places=12, required=False, allow_null=True
    )
    lng = serializers.DecimalField(
        max_digits=20, decimal_places=12, required=False, allow_null=True
    )
    received_at = serializers.DateTimeField(
        required=False, allow_null=True, help_text="When it was received; default now."
    )
    submitter_name = serializers.CharField(required=False, allow_blank=True)
    submitter_phone = serializers.CharField(required=False, allow_blank=True)
    submitter_email = serializers.CharField(required=False, allow_blank=True)


@extend_schema(tags=["appeals"])
class AppealList(ListView):
    """GET: appeals, newest first by default (staff with intake.triage_appeal).
    POST: record an appeal received on any channel (default: api); it gets a
    tracking number (staff with intake.add_appeal; the submitter's contact data
    only from those who may see it)."""

    required_perms = {"GET": (VIEW,), "POST": ("intake.add_appeal",)}
    serializer_class = AppealOutput
    filterset_class = AppealFilter
    ordering_fields = ["received_at", "tracking_number"]
    ordering = ["-received_at", "-id"]
    InputSerializer = SubmitInput

    def get_queryset(self):
        return appeal_queryset()

    @extend_schema(responses=responses({200: AppealOutput(many=True)}, bad_input=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    @extend_schema(
        request=SubmitInput,
        responses=responses({201: AppealOutput}, bad_input=True, not_found=False),
    )
    def post(self, request):
        serializer = self.InputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        contact = [
            f for f in ("submitter_name", "submitter_phone", "submitter_email") if data.get(f)
        ]
        if contact and not request.user.has_perm(CONTACT_PERMISSION):
            # As in the admin, whoever may not see contact data may not record it.
            raise serializers.ValidationError(
                {field: [_("You may not record submitters' contact data.")] for field in contact}
            )
        appeal = services.appeal_submit(actor=request.user, **data)
        return _output(request, appeal, status.HTTP_201_CREATED)


@extend_schema(tags=["appeals"], responses=responses({200: AppealOutput}))
class AppealDetail(DetailView):
    required_perms = (VIEW,)
    serializer_class = AppealOutput

    def get_object(self):
        return appeal_or_404(self.kwargs["tracking_number"])


class _AppealAction(ApiView):
    """One intake action on one appeal. The service checks the clerk's right
    (intake.triage_appeal) and the appeal's status."""

    required_perms = ("intake.triage_appeal",)

    class InputSerializer(serializers.Serializer):
        pass

    def post(self, request, tracking_number):
        serializer = self.InputSerializer(data=request.data)
        appeal = appeal_or_404(tracking_number)
        serializer.is_valid(raise_exception=True)
        appeal = self.perform(appeal, request.user, serializer.validated_data)
        return _output(request, appeal)

    def perform(self, appeal: Appeal, actor, data: dict) -> Appeal:
        raise NotImplementedError


def _action_schema(cls):
    return extend_schema(
        tags=["appeals"],
        request=cls.InputSerializer,
        responses=responses({200: AppealOutput}, bad_input=True),
    )(cls)


@_action_schema
class AppealTriage(_AppealAction):
    """Give the appeal its category (triaged)."""

    class InputSerializer(serializers.Serializer):
        category = serializers.PrimaryKeyRelatedField(queryset=Category.objects.all())

    def perform(self, appeal, actor, data):
        return services.appeal_triage(appeal=appeal, actor=actor, category=data["category"])


@_action_schema
class AppealAccept(_AppealAction):
    """Accept the appeal into a ledger item (merge it with the item's appeals)."""

    class InputSerializer(serializers.Serializer):
        item = serializers.SlugRelatedField(
            slug_field="number", queryset=LedgerItem.objects.all(), help_text="The item's number."
        )

    def perform(self, appeal, actor, data):
        return services.appeal_accept(appeal=appeal, actor=actor, item=data["item"])


@_action_schema
class AppealAnswer(_AppealAction):
    """Answer the appeal directly; the submitter is owed a notice."""

    class InputSerializer(serializers.Serializer):
        answer = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def perform(self, appeal, actor, data):
        return services.appeal_answer(appeal=appeal, actor=actor, answer=data["answer"])


@_action_schema
class AppealReject(_AppealAction):
    """Reject the appeal with a reason; the submitter is owed a notice."""

    class InputSerializer(serializers.Serializer):
        reason = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def perform(self, appeal, actor, data):
        return services.appeal_reject(appeal=appeal, actor=actor, reason=data["reason"])


@_action_schema
class AppealClose(_AppealAction):
    """Close an answered or rejected appeal."""

    def perform(self, appeal, actor, data):
        return services.appeal_close(appeal=appeal, actor=actor)
