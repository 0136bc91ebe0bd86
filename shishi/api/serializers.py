"""What the API returns: output serializers shared by the reads and by the
writes that answer with the object they changed. They only read; every input
is a view's own nested InputSerializer."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from shishi.categories.models import Category
from shishi.intake.models import Appeal
from shishi.ledger.models import FollowUp, LedgerItem, ProgressReport, Target
from shishi.org.models import Unit, User

CONTACT_PERMISSION = "intake.view_submitter_contact"


class CategoryRef(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name"]


class UnitRef(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name"]


class UserRef(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["username", "full_name"]


class CategoryOutput(serializers.ModelSerializer):
    class Meta:
        model = Category
        fields = ["id", "code", "name", "parent", "description", "sort_order", "is_active"]


class UnitOutput(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["id", "name", "kind", "parent", "is_participating", "is_active"]


# ------------------------------------------------------------------ appeals


class ContactOutput(serializers.Serializer):
    name = serializers.CharField(source="submitter_name")
    phone = serializers.CharField(source="submitter_phone")
    email = serializers.CharField(source="submitter_email")


class AppealOutput(serializers.ModelSerializer):
    category = CategoryRef(allow_null=True)
    community = UnitRef(allow_null=True)
    item = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    contact = serializers.SerializerMethodField(
        help_text="The submitter's name, phone and e-mail; null unless the caller may see "
        "contact data (intake.view_submitter_contact)."
    )

    class Meta:
        model = Appeal
        fields = [
            "tracking_number",
            "title",
            "body",
            "channel",
            "status",
            "status_note",
            "category",
            "community",
            "address",
            "lat",
            "lng",
            "received_at",
            "closed_at",
            "item",
            "contact",
        ]

    @extend_schema_field(ContactOutput(allow_null=True))
    def get_contact(self, appeal: Appeal):
        request = self.context.get("request")
        if request is None or not request.user.has_perm(CONTACT_PERMISSION):
            return None
        return ContactOutput(appeal).data


# ------------------------------------------------------------------- items


class TargetOutput(serializers.ModelSerializer):
    class Meta:
        model = Target
        fields = ["id", "name", "unit_of_measure", "target_quantity", "actual_quantity"]


class ItemOutput(serializers.ModelSerializer):
    category = CategoryRef()
    lead_unit = UnitRef(allow_null=True)
    cooperating_units = UnitRef(many=True)
    owner = UserRef(allow_null=True)
    targets = TargetOutput(many=True)
    latest_percent = serializers.IntegerField(
        allow_null=True, read_only=True, help_text="Percent complete in the latest weekly report."
    )
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = LedgerItem
        fields = [
            "number",
            "kind",
            "title",
            "description",
            "status",
            "status_note",
            "category",
            "lead_unit",
            "cooperating_units",
            "owner",
            "deadline",
            "overdue",
            "latest_percent",
            "targets",
            "created_at",
            "opened_at",
            "claimed_at",
            "settled_at",
        ]

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, item: LedgerItem) -> bool:
        return item.is_overdue()


class ActualOutput(serializers.Serializer):
    target = serializers.CharField(source="target.name")
    quantity = serializers.DecimalField(max_digits=16, decimal_places=2)


class ReportOutput(serializers.ModelSerializer):
    item = serializers.CharField(source="item.number")
    week = serializers.CharField(source="week_label", help_text="The ISO week, e.g. 2021-W40.")
    reported_by = UserRef()
    actuals = ActualOutput(many=True)

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "item",
            "week",
            "week_start",
            "version",
            "is_current",
            "percent",
            "narrative",
            "actuals",
            "reported_by",
            "reported_at",
        ]


class FollowUpOutput(serializers.ModelSerializer):
    item = serializers.CharField(source="item.number")
    appeal = serializers.SlugRelatedField(
        slug_field="tracking_number", read_only=True, allow_null=True
    )
    recorded_by = UserRef(allow_null=True)

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "item",
            "appeal",
            "result",
            "note",
            "by_appellant",
            "recorded_by",
            "recorded_at",
        ]
