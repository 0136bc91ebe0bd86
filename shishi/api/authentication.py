"""`Authorization: Token KEY`, checked against the stored SHA-256 of the key."""

from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from .models import ApiToken
from .services import token_hash


class HashedTokenAuthentication(TokenAuthentication):
    """DRF's token scheme (same header, same 401s), but the key is looked up
    by its hash: the database never holds a key that works."""

    model = ApiToken

    def authenticate_credentials(self, key):
        if len(key) > 200:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        try:
            token = ApiToken.objects.select_related("user").get(hashed_key=token_hash(key))
        except ApiToken.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return (token.user, token)
