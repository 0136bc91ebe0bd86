from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 100
# The key's first characters, stored in clear to find its row; not a secret.
PREFIX_LENGTH = 8


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        return self.filter(revoked_at__isnull=True)


class ApiKey(models.Model):
    """A key one client system (an app, a city's 311 platform) uses to file appeals
    through the Open311 API. Only a SHA-256 of the key is stored: the key itself
    is shown once, when it is created."""

    name = models.CharField(_("client name"), max_length=NAME_MAX, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, unique=True)
    hashed_key = models.CharField(_("key hash (SHA-256)"), max_length=64, editable=False)
    # Requests per minute; empty: SHISHI_API_KEY_RATE_PER_MINUTE.
    rate_per_minute = models.PositiveIntegerField(
        _("requests per minute"),
        null=True,
        blank=True,
        help_text=_("Empty: the installation's default."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    history = HistoricalRecords(excluded_fields=["last_used_at"])

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def rate_limit(self) -> int:
        if self.rate_per_minute is not None:
            return self.rate_per_minute
        return settings.SHISHI_API_KEY_RATE_PER_MINUTE
