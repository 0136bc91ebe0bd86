"""Admin for the campaign's bodies, plans and leaders' contact units; every
change is kept in their history."""

from django.contrib import admin

from shishi.core.admin import ShishiHistoryAdmin

from .models import Body, BodyMember, ContactUnit, ContactVisit, Document, DocumentTask


@admin.register(Body)
class BodyAdmin(ShishiHistoryAdmin):
    list_display = ["name", "kind", "sort_order"]
    list_filter = ["kind"]
    search_fields = ["name", "duties"]


@admin.register(BodyMember)
class BodyMemberAdmin(ShishiHistoryAdmin):
    list_display = ["name", "body", "unit", "role", "position"]
    list_filter = ["body", "role"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["unit"]


@admin.register(Document)
class DocumentAdmin(ShishiHistoryAdmin):
    list_display = ["title", "kind", "issued_on", "issuer"]
    list_filter = ["kind"]
    search_fields = ["title"]


@admin.register(DocumentTask)
class DocumentTaskAdmin(ShishiHistoryAdmin):
    list_display = ["title", "document", "unit", "deadline", "status", "done_on"]
    list_filter = ["status", "document"]
    search_fields = ["title", "unit__name"]


@admin.register(ContactUnit)
class ContactUnitAdmin(ShishiHistoryAdmin):
    list_display = ["leader", "unit"]
    search_fields = ["leader__full_name", "leader__username", "unit__name"]


@admin.register(ContactVisit)
class ContactVisitAdmin(ShishiHistoryAdmin):
    list_display = ["contact", "visited_on"]
    date_hierarchy = "visited_on"
