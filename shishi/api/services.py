"""API tokens: one per staff account. Creating one replaces the old (which
stops working at once); the key is shown once, by whoever created it, and only
its SHA-256 is stored (shishi.api.models.ApiToken)."""

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import PREFIX_LENGTH, ApiToken


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_create(*, user) -> str:
    """A new token for `user`, replacing any they had; returns its key."""
    if not user.is_active:
        raise ValidationError({"user": _("“%(user)s” is not an active account.") % {"user": user}})
    if not user.is_staff:
        raise ValidationError(
            {"user": _("“%(user)s” is not a staff account: the API is for staff.") % {"user": user}}
        )
    ApiToken.objects.filter(user=user).delete()
    raw = secrets.token_hex(32)
    ApiToken.objects.create(user=user, hashed_key=token_hash(raw), prefix=raw[:PREFIX_LENGTH])
    return raw


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Remove `user`'s token; returns whether they had one."""
    deleted, _rows = ApiToken.objects.filter(user=user).delete()
    return bool(deleted)
