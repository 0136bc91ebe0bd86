"""工单 in the REST API: reading work orders, and one endpoint per move, each
calling one work-order service (the same as the pages and `shishi order`).
The centre (intake.triage_appeal) reads every order; a unit handler
(workorders.handle_workorder) the orders of their units. The routes are
spread into shishi/api/urls.py."""

from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from shishi.api.base import ApiView, DetailView, ListView, responses
from shishi.api.serializers import UnitRef, UserRef
from shishi.intake.models import Appeal
from shishi.ledger.models import Satisfaction
from shishi.org.models import Unit
from shishi.org.services import user_unit_ids

from . import permissions, services
from .models import ExtensionStatus, WorkOrder

READ = {"GET": ()}  # staff; the queryset keeps to what the caller may see


def visible_orders(user):
    orders = WorkOrder.objects.select_related("appeal", "unit", "signed_by").prefetch_related(
        "cooperating_units"
    )
    if permissions.is_centre(user) or user.has_perm("workorders.view_workorder"):
        return orders
    if permissions.is_handler(user):
        return orders.filter(unit_id__in=user_unit_ids(user))
    return orders.none()


class WorkOrderOutput(serializers.ModelSerializer):
    appeal = serializers.SlugRelatedField(slug_field="tracking_number", read_only=True)
    unit = UnitRef()
    cooperating_units = UnitRef(many=True)
    signed_by = UserRef(allow_null=True)
    previous = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = WorkOrder
        fields = [
            "number",
            "appeal",
            "unit",
            "cooperating_units",
            "status",
            "instructions",
            "previous",
            "dispatched_at",
            "sign_due",
            "due_at",
            "signed_at",
            "signed_by",
            "reply",
            "replied_at",
            "review_note",
            "closed_at",
            "returned_at",
            "return_reason",
            "extension_count",
            "rehandle_count",
        ]


def _output(request, order: WorkOrder, code=status.HTTP_200_OK) -> Response:
    fresh = visible_orders(request.user).filter(pk=order.pk).first() or order
    return Response(WorkOrderOutput(fresh).data, status=code)


@extend_schema(tags=["work orders"])
class OrderList(ListView):
    """GET: work orders, by deadline: every order for the centre, a unit's for
    its handlers. Filter with ?status= and ?unit= (a unit's id)."""

    required_perms = READ
    serializer_class = WorkOrderOutput
    ordering_fields = ["due_at", "dispatched_at", "number"]
    ordering = ["due_at", "pk"]

    def get_queryset(self):
        orders = visible_orders(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted:
            orders = orders.filter(status__in=wanted.split(","))
        unit = self.request.query_params.get("unit")
        if unit and unit.isdigit():
            orders = orders.filter(Q(unit_id=int(unit)))
        return orders

    @extend_schema(responses=responses({200: WorkOrderOutput(many=True)}, bad_input=True))
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


@extend_schema(tags=["work orders"], responses=responses({200: WorkOrderOutput}))
class OrderDetail(DetailView):
    required_perms = READ
    serializer_class = WorkOrderOutput

    def get_object(self):
        return get_object_or_404(visible_orders(self.request.user), number=self.kwargs["number"])


class DispatchInput(serializers.Serializer):
    appeal = serializers.SlugRelatedField(
        slug_field="tracking_number", queryset=Appeal.objects.all(), help_text="Tracking number."
    )
    unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
    cooperating_units = serializers.PrimaryKeyRelatedField(
        queryset=Unit.objects.all(), many=True, required=False
    )
    instructions = serializers.CharField(required=False, allow_blank=True)


@extend_schema(
    tags=["work orders"],
    request=DispatchInput,
    responses=responses({201: WorkOrderOutput}, bad_input=True),
)
class OrderDispatch(ApiView):
    """派单: the centre dispatches an appeal to a lead unit (and cooperating units)."""

    required_perms = (permissions.CENTRE_PERM,)

    def post(self, request):
        serializer = DispatchInput(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        order = services.order_dispatch(
            appeal=data["appeal"],
            unit=data["unit"],
            cooperating_units=data.get("cooperating_units", []),
            instructions=data.get("instructions", ""),
            actor=request.user,
        )
        return _output(request, order, status.HTTP_201_CREATED)


class _OrderAction(ApiView):
    """One move on one order; the service checks who acts and the state."""

    required_perms = ()

    class InputSerializer(serializers.Serializer):
        pass

    def post(self, request, number):
        serializer = self.InputSerializer(data=request.data)
        order = get_object_or_404(visible_orders(request.user), number=number)
        serializer.is_valid(raise_exception=True)
        result = self.perform(order, request.user, serializer.validated_data)
        return _output(request, result if isinstance(result, WorkOrder) else order)

    def perform(self, order: WorkOrder, actor, data: dict):
        raise NotImplementedError


def _schema(cls):
    return extend_schema(
        tags=["work orders"],
        request=cls.InputSerializer,
        responses=responses({200: WorkOrderOutput}, bad_input=True),
    )(cls)


def _reason_field():
    return serializers.CharField(allow_blank=True, trim_whitespace=False)


@_schema
class OrderSign(_OrderAction):
    """签收 (a handler of the lead unit)."""

    def perform(self, order, actor, data):
        return services.order_sign(order=order, actor=actor)


@_schema
class OrderNote(_OrderAction):
    """办理: a handling note."""

    class InputSerializer(serializers.Serializer):
        text = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def perform(self, order, actor, data):
        return services.order_note_add(order=order, actor=actor, text=data["text"])


@_schema
class OrderReply(_OrderAction):
    """答复: the reply to the resident, for the centre to review."""

    class InputSerializer(serializers.Serializer):
        reply = serializers.CharField(allow_blank=True, trim_whitespace=False)

    def perform(self, order, actor, data):
        return services.order_reply(order=order, actor=actor, reply=data["reply"])


@_schema
class OrderReturn(_OrderAction):
    """退单: back to the centre, with the reason."""

    class InputSerializer(serializers.Serializer):
        reason = _reason_field()

    def perform(self, order, actor, data):
        return services.order_return(order=order, actor=actor, reason=data["reason"])


@_schema
class OrderExtend(_OrderAction):
    """延期申请 (a handler), or the centre's decision on the waiting request
    (give `approve`)."""

    class InputSerializer(serializers.Serializer):
        new_due = serializers.DateTimeField(required=False)
        reason = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
        approve = serializers.BooleanField(required=False, allow_null=True, default=None)

    def perform(self, order, actor, data):
        if data.get("approve") is not None:
            request = order.extensions.filter(status=ExtensionStatus.PENDING).first()
            if request is None:
                raise serializers.ValidationError(
                    {"approve": ["No extension request is waiting for a decision."]}
                )
            return services.order_extension_decide(
                request=request, actor=actor, approve=data["approve"], note=data.get("reason", "")
            )
        if "new_due" not in data:
            raise serializers.ValidationError({"new_due": ["Give the new deadline."]})
        return services.order_extension_request(
            order=order, actor=actor, reason=data.get("reason", ""), new_due=data["new_due"]
        )


@_schema
class OrderReview(_OrderAction):
    """审核: the centre accepts the reply or sends it back with a reason."""

    class InputSerializer(serializers.Serializer):
        accept = serializers.BooleanField()
        note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)

    def perform(self, order, actor, data):
        return services.order_review(
            order=order, actor=actor, accept=data["accept"], note=data.get("note", "")
        )


@_schema
class OrderRedispatch(_OrderAction):
    """转派: the centre moves the order to a unit; answers with the new order."""

    class InputSerializer(serializers.Serializer):
        unit = serializers.PrimaryKeyRelatedField(queryset=Unit.objects.all())
        reason = serializers.CharField(required=False, allow_blank=True)

    def perform(self, order, actor, data):
        return services.order_redispatch(
            order=order, unit=data["unit"], reason=data.get("reason", ""), actor=actor
        )


@_schema
class OrderFollowUp(_OrderAction):
    """回访 by phone, recorded by the centre or a supervisor."""

    class InputSerializer(serializers.Serializer):
        result = serializers.ChoiceField(choices=Satisfaction.choices)
        note = serializers.CharField(required=False, allow_blank=True)

    def perform(self, order, actor, data):
        return services.order_followup_record(
            order=order, actor=actor, result=data["result"], note=data.get("note", "")
        )


@_schema
class OrderRehandle(_OrderAction):
    """重办 after a dissatisfied follow-up."""

    class InputSerializer(serializers.Serializer):
        reason = _reason_field()

    def perform(self, order, actor, data):
        return services.order_rehandle(order=order, actor=actor, reason=data["reason"])


@_schema
class OrderCancel(_OrderAction):
    """Cancel; the appeal goes back to the intake queue."""

    class InputSerializer(serializers.Serializer):
        reason = _reason_field()

    def perform(self, order, actor, data):
        return services.order_cancel(order=order, actor=actor, reason=data["reason"])


urlpatterns = [
    path("orders/", OrderList.as_view(), name="orders"),
    path("orders/dispatch/", OrderDispatch.as_view(), name="order_dispatch"),
    path("orders/<str:number>/", OrderDetail.as_view(), name="order"),
    *[
        path(f"orders/<str:number>/{name}/", view.as_view(), name=f"order_{name}")
        for name, view in (
            ("sign", OrderSign),
            ("note", OrderNote),
            ("reply", OrderReply),
            ("return", OrderReturn),
            ("extend", OrderExtend),
            ("review", OrderReview),
            ("redispatch", OrderRedispatch),
            ("followup", OrderFollowUp),
            ("rehandle", OrderRehandle),
            ("cancel", OrderCancel),
        )
    ],
]
