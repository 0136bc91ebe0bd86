"""The attributes each category's Open311 service definition asks for, with
the values of list attributes inline; and, read-only, what clients filed."""

from django.contrib import admin

from shishi.core.admin import ShishiAdmin, ShishiHistoryAdmin, save_changed_fields

from .models import AttributeValue, ServiceAttribute, ServiceRequest


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
