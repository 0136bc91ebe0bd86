from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class DeliveryChannel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("waiting to be sent")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed, given up")
    # No address for this channel, or the notice was too old when first seen.
    SKIPPED = "skipped", _("not sent")


class NoticeDelivery(models.Model):
    """One notice sent (or to be sent) through one channel. At most one row per
    notice and channel, so a notice is never sent twice by one channel; a
    deliverer claims pending rows with a conditional UPDATE (see services.py)
    and holds them until `locked_until`."""

    notice = models.ForeignKey(
        "intake.AppealNotice",
        verbose_name=_("notice"),
        on_delete=models.PROTECT,
        related_name="deliveries",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=DeliveryStatus.choices,
        default=DeliveryStatus.PENDING,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    locked_until = models.DateTimeField(_("claimed until"), null=True, blank=True)
    locked_by = models.CharField(_("claimed by"), max_length=100, blank=True)
    # Never the address or the phone number: the error's kind and its words,
    # with contact data blanked out.
    last_error = models.TextField(_("last error"), blank=True)
    provider_id = models.CharField(_("provider's message id"), max_length=100, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("notice delivery")
        verbose_name_plural = _("notice deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "channel"], name="notice_delivery_once"),
            models.CheckConstraint(
                condition=~models.Q(status="sent") | models.Q(sent_at__isnull=False),
                name="notice_delivery_sent_has_time",
            ),
        ]
        indexes = [
            # What the deliverer looks for: small, as sent rows leave it.
            models.Index(
                fields=["next_attempt_at"],
                condition=models.Q(status="pending"),
                name="notice_delivery_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.notice_id} {self.channel} {self.status}"
