from django.contrib import admin

from .models import Reminder


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "recipient",
        "reason",
        "subject",
        "period",
        "read_at",
        "mail_status",
    ]
    list_filter = ["reason", "mail_status"]
    list_select_related = ["recipient"]
    raw_id_fields = ["recipient"]
    date_hierarchy = "created_at"
    readonly_fields = ["created_at"]
