from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# The key's first characters, stored in clear so staff can tell tokens apart; not a secret.
PREFIX_LENGTH = 8


class ApiToken(models.Model):
    """A staff account's REST API token. Only a SHA-256 of the key is stored
    (the key is 256 random bits, so a plain hash is enough and the check stays
    cheap): a copy of the database or an administrator's screen never shows a
    key that works. The key itself is shown once, when it is created."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_token",
    )
    hashed_key = models.CharField(_("key hash (SHA-256)"), max_length=64, unique=True)
    prefix = models.CharField(_("key prefix"), max_length=PREFIX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"
