"""Admin for meetings, study records and lectures, with their history."""

from django.contrib import admin

from shishi.core.admin import ShishiHistoryAdmin

from .models import Lecture, LectureGroup, Meeting, MeetingMatter, Speaker, StudyRecord


@admin.register(Meeting)
class MeetingAdmin(ShishiHistoryAdmin):
    list_display = ["title", "kind", "held_on", "unit", "participants"]
    list_filter = ["kind"]
    search_fields = ["title", "unit__name"]
    date_hierarchy = "held_on"


@admin.register(MeetingMatter)
class MeetingMatterAdmin(ShishiHistoryAdmin):
    list_display = ["item", "meeting", "kind"]
    list_filter = ["kind"]
    raw_id_fields = ["meeting", "item"]

    def has_add_permission(self, request):
        return False  # through meeting_matters_open: it opens the ledger items


@admin.register(StudyRecord)
class StudyRecordAdmin(ShishiHistoryAdmin):
    list_display = ["title", "kind", "held_on", "unit", "count"]
    list_filter = ["kind"]
    search_fields = ["title", "speaker"]
    date_hierarchy = "held_on"


@admin.register(LectureGroup)
class LectureGroupAdmin(ShishiHistoryAdmin):
    list_display = ["name", "unit"]
    search_fields = ["name"]


@admin.register(Speaker)
class SpeakerAdmin(ShishiHistoryAdmin):
    list_display = ["name", "group", "title"]
    list_filter = ["group"]
    search_fields = ["name"]


@admin.register(Lecture)
class LectureAdmin(ShishiHistoryAdmin):
    list_display = ["title", "group", "speaker", "held_on", "attendance"]
    list_filter = ["group"]
    search_fields = ["title", "speaker__name"]
    date_hierarchy = "held_on"
    raw_id_fields = ["speaker"]
