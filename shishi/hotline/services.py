"""Recording what a caller, a visitor or a letter asks for, as staff: the
appeal goes through intake's own service (acknowledged as it is recorded,
since staff record it), and optionally to a unit at once (一键派单) through
the work-order service, in the same transaction."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from shishi.intake.models import Appeal, Channel
from shishi.intake.services import appeal_submit
from shishi.workorders.services import order_dispatch

# The channels staff record on this page, the first the default.
HOTLINE_CHANNELS = (Channel.HOTLINE, Channel.WALK_IN, Channel.LETTER, Channel.VISIT)
TITLE_FROM_TEXT = 30  # characters of the text that make a missing title


def title_from_text(body: str) -> str:
    """A caller rarely gives a title: the text's first line, shortened."""
    first = (body or "").strip().splitlines()[0] if (body or "").strip() else ""
    return first[:TITLE_FROM_TEXT] + ("…" if len(first) > TITLE_FROM_TEXT else "")


@transaction.atomic
def hotline_appeal_record(
    *,
    actor,
    channel: str,
    body: str,
    title: str = "",
    submitter_name: str = "",
    submitter_phone: str = "",
    address: str = "",
    community=None,
    category=None,
    dispatch_to=None,
) -> Appeal:
    """Record one appeal taken by staff (话务受理); with `dispatch_to`, hand it
    to that unit in the same transaction."""
    if not actor.has_perm("intake.triage_appeal"):
        raise PermissionDenied(_("Only intake clerks may record appeals on the hotline page."))
    if channel not in HOTLINE_CHANNELS:
        raise ValidationError(
            {"channel": _("Unknown channel: %(channel)s.") % {"channel": channel}}
        )
    appeal = appeal_submit(
        title=(title or "").strip() or title_from_text(body),
        body=body,
        channel=channel,
        category=category,
        submitter_name=submitter_name,
        submitter_phone=submitter_phone,
        address=address,
        community=community,
        actor=actor,
    )
    if dispatch_to is not None:
        # A refusal (an inactive unit, no right to dispatch) undoes the recording too.
        order_dispatch(appeal=appeal, actor=actor, unit=dispatch_to)
    return appeal
