"""Admin for 巡回指导; visits and findings are recorded through the staff pages
(shishi.inspection.services), so the round plan and the ledger's rules apply."""

from django.contrib import admin

from shishi.core.admin import ShishiHistoryAdmin

from .models import (
    Finding,
    InspectionGroup,
    InspectionGroupMember,
    InspectionRound,
    PlanEntry,
    Visit,
)


@admin.register(InspectionGroup)
class InspectionGroupAdmin(ShishiHistoryAdmin):
    list_display = ["name", "sort_order"]
    search_fields = ["name"]


@admin.register(InspectionGroupMember)
class InspectionGroupMemberAdmin(ShishiHistoryAdmin):
    list_display = ["name", "group", "unit", "is_head"]
    list_filter = ["group"]
    search_fields = ["name", "unit__name"]


@admin.register(InspectionRound)
class InspectionRoundAdmin(ShishiHistoryAdmin):
    list_display = ["number", "title", "starts_on", "ends_on"]


@admin.register(PlanEntry)
class PlanEntryAdmin(ShishiHistoryAdmin):
    list_display = ["round", "group", "unit"]
    list_filter = ["round", "group"]
    search_fields = ["unit__name"]


@admin.register(Visit)
class VisitAdmin(ShishiHistoryAdmin):
    list_display = ["plan", "visited_on"]
    list_filter = ["plan__round", "plan__group"]
    date_hierarchy = "visited_on"

    def has_add_permission(self, request):
        return False  # through visit_record: the plan is checked there


@admin.register(Finding)
class FindingAdmin(ShishiHistoryAdmin):
    list_display = ["text", "visit", "item"]
    search_fields = ["text", "item__number"]
    raw_id_fields = ["visit", "item"]

    def has_add_permission(self, request):
        return False  # through finding_record: it opens the ledger item
