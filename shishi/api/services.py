"""API tokens: one per staff account. Creating one replaces the old (which
stops working at once); the key is shown once, by whoever created it."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


@transaction.atomic
def api_token_create(*, user) -> str:
    """A new token for `user`, replacing any they had; returns its key."""
    if not user.is_active:
        raise ValidationError({"user": _("“%(user)s” is not an active account.") % {"user": user}})
    if not user.is_staff:
        raise ValidationError(
            {"user": _("“%(user)s” is not a staff account: the API is for staff.") % {"user": user}}
        )
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


@transaction.atomic
def api_token_revoke(*, user) -> bool:
    """Remove `user`'s token; returns whether they had one."""
    deleted, _rows = Token.objects.filter(user=user).delete()
    return bool(deleted)
