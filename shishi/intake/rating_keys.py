"""The secret that lets a resident rate the reply to their appeal (回访).

The tracking number is public (the Open311 list shows it), so it can never be
enough to rate: whoever rates without an account must show a key that only
the resident's own notice carries. The key is an HMAC of the appeal under the
installation's secret key, so it is never stored: not in the notices, not in
the database, and staff who read either cannot rate in a resident's name."""

from urllib.parse import urlencode

from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

KEY_LENGTH = 32
_SALT = "shishi.intake.rating_key"


def rating_key(appeal) -> str:
    value = f"{appeal.pk}:{appeal.tracking_number}"
    return salted_hmac(_SALT, value, algorithm="sha256").hexdigest()[:KEY_LENGTH]


def rating_key_valid(appeal, key) -> bool:
    if not isinstance(key, str) or len(key) != KEY_LENGTH:
        return False
    return constant_time_compare(rating_key(appeal), key.lower())


def rating_url(appeal) -> str:
    """The path of the rating page that the resident's notice links to."""
    path = reverse("public:track_rate", args=[appeal.tracking_number])
    return f"{path}?{urlencode({'key': rating_key(appeal)})}"


def may_rate(appeal, *, actor=None, key: str = "") -> bool:
    """Whether this request speaks for the appellant: the key from their notice,
    or the account they filed the appeal with."""
    return rating_key_valid(appeal, key) or filed_by(appeal, actor)


def filed_by(appeal, actor) -> bool:
    """Whether `actor` is the account the appeal was filed with."""
    return (
        actor is not None
        and actor.is_authenticated
        and appeal.submitter_id is not None
        and appeal.submitter_id == actor.pk
    )


def notice_text(notice, *, site_url: str = "") -> str:
    """The text delivered for a notice: its message, and for an invitation to
    rate, the link with the key (made at delivery, never stored)."""
    if not notice.invites_rating:
        return notice.message
    link = site_url.rstrip("/") + rating_url(notice.appeal)
    return f"{notice.message}\n{_('Rate the result: %(url)s') % {'url': link}}"
