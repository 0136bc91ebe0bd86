"""Admin for 评选; scores are given on the reviewers' page (one per reviewer)."""

from django.contrib import admin

from shishi.core.admin import ShishiHistoryAdmin

from .models import Call, Nomination, Score


@admin.register(Call)
class CallAdmin(ShishiHistoryAdmin):
    list_display = ["title", "deadline", "places", "published_at"]


@admin.register(Nomination)
class NominationAdmin(ShishiHistoryAdmin):
    list_display = ["nominee", "unit", "call", "selected"]
    list_filter = ["call", "selected"]
    search_fields = ["nominee", "unit__name"]


@admin.register(Score)
class ScoreAdmin(ShishiHistoryAdmin):
    list_display = ["nomination", "reviewer", "points", "scored_at"]
    list_filter = ["nomination__call"]
    raw_id_fields = ["nomination"]

    def has_add_permission(self, request):
        return False  # through score_submit
