"""Admin for 联户; pairing goes through household_pair (one member a household)."""

from django.contrib import admin

from shishi.core.admin import ShishiHistoryAdmin

from .models import Household, LiaisonMember, LiaisonVisit, Pairing


@admin.register(LiaisonMember)
class LiaisonMemberAdmin(ShishiHistoryAdmin):
    list_display = ["name", "community", "phone"]
    search_fields = ["name", "community__name"]
    raw_id_fields = ["user"]


@admin.register(Household)
class HouseholdAdmin(ShishiHistoryAdmin):
    list_display = ["address", "community", "head"]
    search_fields = ["address", "head", "community__name"]


@admin.register(Pairing)
class PairingAdmin(ShishiHistoryAdmin):
    list_display = ["household", "member", "paired_on", "ended_on"]
    search_fields = ["household__address", "member__name"]
    raw_id_fields = ["member", "household"]


@admin.register(LiaisonVisit)
class LiaisonVisitAdmin(ShishiHistoryAdmin):
    list_display = ["member", "household", "visited_on"]
    raw_id_fields = ["member", "household"]
    date_hierarchy = "visited_on"
