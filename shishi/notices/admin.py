"""The deliveries, read only: what was sent when, what is waiting, what failed
and why (never the address). Staff can have a failed one tried again."""

from django.contrib import admin, messages
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from shishi.core.admin import ShishiAdmin

from .models import DeliveryStatus, NoticeDelivery


@admin.register(NoticeDelivery)
class NoticeDeliveryAdmin(ShishiAdmin):
    list_display = [
        "tracking_number",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel", "created_at"]
    search_fields = ["notice__appeal__tracking_number"]
    list_select_related = ["notice__appeal"]
    date_hierarchy = "created_at"
    fields = [
        "notice",
        "channel",
        "status",
        "attempts",
        "next_attempt_at",
        "locked_until",
        "locked_by",
        "last_error",
        "provider_id",
        "sent_at",
        "created_at",
    ]
    readonly_fields = fields
    actions = ["try_again"]

    @admin.display(description=_("appeal"), ordering="notice__appeal__tracking_number")
    def tracking_number(self, delivery: NoticeDelivery) -> str:
        return delivery.notice.appeal.tracking_number

    @admin.display(description=_("last error"))
    def short_error(self, delivery: NoticeDelivery) -> str:
        return delivery.last_error[:80]

    @admin.action(description=_("Try the failed deliveries again now"))
    def try_again(self, request, queryset):
        count = queryset.filter(status=DeliveryStatus.FAILED).update(
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=timezone.now()
        )
        self.message_user(
            request,
            ngettext(
                "%(count)d delivery will be tried again.",
                "%(count)d deliveries will be tried again.",
                count,
            )
            % {"count": count},
            messages.SUCCESS,
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
