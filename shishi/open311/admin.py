"""The attributes each category's Open311 service definition asks for, with
the values of list attributes inline; and, read-only, what clients filed."""

import json

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ShishiAdmin, ShishiHistoryAdmin, save_changed_fields
from shishi.intake.admin import sees_contact

from .models import AttributeValue, QueuedRequest, ServiceAttribute, ServiceRequest


class AttributeValueInline(admin.TabularInline):
    model = AttributeValue
    extra = 1
    fields = ["key", "name", "order"]


@admin.register(ServiceAttribute)
class ServiceAttributeAdmin(ShishiHistoryAdmin):
    list_display = ["category", "code", "datatype", "required", "order", "is_active"]
    list_filter = ["datatype", "required", "is_active", "category"]
    search_fields = ["code", "description", "category__name", "category__code"]
    autocomplete_fields = ["category"]
    fields = [
        "category",
        "code",
        "description",
        "datatype",
        "datatype_description",
        "required",
        "variable",
        "order",
        "is_active",
    ]
    inlines = [AttributeValueInline]

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(request, obj, form, reason="edited in admin")
        else:
            super().save_model(request, obj, form, change)


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ShishiAdmin):
    """What clients filed through Open311; the appeal itself is in Intake."""

    list_display = ["token", "appeal", "api_key", "created_at"]
    list_filter = ["api_key"]
    search_fields = ["token", "appeal__tracking_number"]
    list_select_related = ["appeal", "api_key"]
    fields = ["appeal", "api_key", "token", "address_id", "media_url", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QueuedRequest)
class QueuedRequestAdmin(ShishiAdmin):
    """Requests accepted in queued mode and not filed yet; one with an error
    was refused by the drain (its reason shown) and waits for staff."""

    list_display = ["token", "category", "api_key", "received_at", "error"]
    list_filter = ["api_key"]
    search_fields = ["token"]
    list_select_related = ["category", "api_key"]

    def get_fields(self, request, obj=None):
        # Contact data only for those who may see submitters' contact data.
        shown = "payload_shown" if sees_contact(request) else "payload_without_contact"
        return ["token", "category", "api_key", "received_at", shown, "error"]

    get_readonly_fields = get_fields

    @admin.display(description=_("request"))
    def payload_shown(self, obj):
        return json.dumps(obj.payload, ensure_ascii=False)

    @admin.display(description=_("request"))
    def payload_without_contact(self, obj):
        private = {
            "submitter_name",
            "submitter_phone",
            "submitter_email",
            "device_id",
            "account_id",
        }
        return json.dumps(
            {k: v for k, v in obj.payload.items() if k not in private}, ensure_ascii=False
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
