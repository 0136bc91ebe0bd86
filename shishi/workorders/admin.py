"""Admin for work orders: the dispatch catalogue is edited here (and imported
with `shishi order catalogue FILE`); orders and extension requests are shown
read-only with their history, since every move goes through the services."""

from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from shishi.core.admin import ReadOnlyInline, ShishiHistoryAdmin, save_changed_fields
from shishi.core.lifecycle import save_with_history

from .catalogue import PLACE_KINDS
from .models import CatalogueRule, ExtensionRequest, HandlingNote, WorkOrder


@admin.register(CatalogueRule)
class CatalogueRuleAdmin(ShishiHistoryAdmin):
    list_display = ["category", "place", "unit", "is_active"]
    list_filter = ["is_active", "category"]
    search_fields = ["category__name", "place__name", "unit__name"]
    autocomplete_fields = ["category", "place", "unit"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        original_clean = form.clean

        def clean(self):
            data = original_clean(self)
            place, unit = data.get("place"), data.get("unit")
            if place is not None and place.kind not in PLACE_KINDS:
                raise ValidationError(
                    {"place": gettext("“%(unit)s” is not a street or community.") % {"unit": place}}
                )
            if unit is not None and not unit.is_active:
                raise ValidationError(
                    {"unit": gettext("The unit “%(unit)s” is no longer active.") % {"unit": unit}}
                )
            return data

        form.clean = clean
        return form

    def save_model(self, request, obj, form, change):
        if change:
            save_changed_fields(request, obj, form, reason="edited in admin")
        else:
            save_with_history(obj, actor=request.user, reason="added in admin")


class ExtensionInline(ReadOnlyInline):
    model = ExtensionRequest
    fields = ["requested_at", "requested_by", "requested_due", "reason", "status", "decided_by"]
    readonly_fields = fields


class NoteInline(ReadOnlyInline):
    model = HandlingNote
    fields = ["created_at", "author", "text"]
    readonly_fields = fields


@admin.register(WorkOrder)
class WorkOrderAdmin(ShishiHistoryAdmin):
    list_display = ["number", "unit", "status", "dispatched_at", "due_at", "rehandle_count"]
    list_filter = ["status"]
    search_fields = ["number", "appeal__title"]
    list_select_related = ["unit"]
    inlines = [NoteInline, ExtensionInline]
    readonly_fields = [f.name for f in WorkOrder._meta.fields] + ["cooperating_units"]
    verbose_name = _("work order")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
