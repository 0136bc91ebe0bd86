import datetime as dt
import random
import secrets
from collections.abc import Sequence
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shishi.categories.models import Category
from shishi.core.lifecycle import check_transition, optional_text, require_text, save_with_history
from shishi.core.uploads import IMAGE_SIGNATURES, check_upload
from shishi.org.models import Unit, UnitKind
from shishi.service_levels.deadlines import PolicyBook, appeal_deadlines

from .lifecycle import APPEAL_TRANSITIONS
from .models import (
    BODY_MAX,
    EMAIL_MAX,
    TITLE_MAX,
    Appeal,
    AppealNotice,
    AppealOutcome,
    AppealPhoto,
    AppealStatus,
    Channel,
    CollectionEvent,
)

# Crockford's base32 without look-alikes: easy to read out over the phone.
TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
# A received time a little ahead of our clock is a skewed clock, not a forgery.
CLOCK_SKEW = dt.timedelta(minutes=5)
MAX_APPEAL_PHOTOS = 5


def tracking_number_new(received_at: dt.datetime, rng: random.Random | None = None) -> str:
    """YYMMDD-XXXXXX: the day, then six random characters (not guessable in sequence)."""
    choice = rng.choice if rng is not None else secrets.choice
    suffix = "".join(choice(TRACKING_ALPHABET) for _ in range(6))
    return f"{timezone.localtime(received_at):%y%m%d}-{suffix}"


def tracking_number_normalise(value: str) -> str:
    return (value or "").strip().upper().replace(" ", "")


def validate_location(community: Unit | None, lat, lng) -> tuple[Decimal | None, Decimal | None]:
    if community is not None and community.kind not in (UnitKind.COMMUNITY, UnitKind.VILLAGE):
        raise ValidationError(
            {"community": _("“%(unit)s” is not a community or village.") % {"unit": community}}
        )
    if (lat is None) != (lng is None):
        raise ValidationError({"lat": _("Give both latitude and longitude, or neither.")})
    if lat is None:
        return None, None
    try:
        lat, lng = Decimal(str(lat).strip()), Decimal(str(lng).strip())
    except ArithmeticError:
        raise ValidationError({"lat": _("Latitude and longitude must be numbers.")}) from None
    if not (lat.is_finite() and lng.is_finite()):
        raise ValidationError({"lat": _("Latitude and longitude must be numbers.")})
    if not (-90 <= lat <= 90):
        raise ValidationError({"lat": _("Latitude must be between -90 and 90.")})
    if not (-180 <= lng <= 180):
        raise ValidationError({"lng": _("Longitude must be between -180 and 180.")})
    return lat.quantize(Decimal("0.000001")), lng.quantize(Decimal("0.000001"))


_CHANNELS = frozenset(Channel.values)
# Labels for error messages, translated only when a message is shown.
_TITLE, _TEXT, _NAME = gettext_lazy("Title"), gettext_lazy("Text"), gettext_lazy("Name")
_PHONE, _EMAIL, _ADDRESS = gettext_lazy("Phone"), gettext_lazy("E-mail"), gettext_lazy("Address")


def appeal_fields_clean(
    *,
    title,
    channel,
    now: dt.datetime,
    body="",
    event: CollectionEvent | None = None,
    category: Category | None = None,
    received_at: dt.datetime | None = None,
    submitter_name="",
    submitter_phone="",
    submitter_email="",
    address="",
    community: Unit | None = None,
    lat=None,
    lng=None,
) -> dict:
    """The intake rules for one appeal, without touching the database: every
    path that records appeals (one at a time or in bulk) checks them here.
    Returns the cleaned field values; errors name the field."""
    if channel not in _CHANNELS:
        raise ValidationError(
            {"channel": _("Unknown channel: %(channel)s.") % {"channel": channel}}
        )
    if event is not None and event.channel != channel:
        raise ValidationError(
            {
                "event": _("The collection event “%(event)s” belongs to another channel.")
                % {"event": event}
            }
        )
    if category is not None and not category.is_active:
        raise ValidationError(
            {"category": _("The category “%(name)s” is no longer in use.") % {"name": category}}
        )
    received_at = received_at or now
    if not isinstance(received_at, dt.datetime):
        raise ValidationError({"received_at": _("The received time must be a date and time.")})
    if timezone.is_naive(received_at):
        raise ValidationError({"received_at": _("The received time must include a time zone.")})
    if received_at > now + CLOCK_SKEW:
        raise ValidationError({"received_at": _("The received time is in the future.")})
    lat, lng = validate_location(community, lat, lng)
    email = optional_text(
        submitter_email, field="submitter_email", max_length=EMAIL_MAX, label=_EMAIL
    )
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(
                {"submitter_email": _("“%(email)s” is not an e-mail address.") % {"email": email}}
            ) from None
    return {
        "title": require_text(title, field="title", max_length=TITLE_MAX, label=_TITLE),
        "body": optional_text(body, field="body", max_length=BODY_MAX, label=_TEXT),
        "channel": channel,
        "event": event,
        "category": category,
        "received_at": received_at,
        "submitter_name": optional_text(
            submitter_name, field="submitter_name", max_length=100, label=_NAME
        ),
        "submitter_phone": optional_text(
            submitter_phone, field="submitter_phone", max_length=40, label=_PHONE
        ),
        "submitter_email": email,
        "address": optional_text(address, field="address", max_length=255, label=_ADDRESS),
        "community": community,
        "lat": lat,
        "lng": lng,
    }


@transaction.atomic
def appeal_submit(
    *,
    title: str,
    body: str = "",
    channel: str,
    event: CollectionEvent | None = None,
    category: Category | None = None,
    received_at: dt.datetime | None = None,
    submitter_name: str = "",
    submitter_phone: str = "",
    submitter_email: str = "",
    submitter=None,
    address: str = "",
    community: Unit | None = None,
    lat=None,
    lng=None,
    actor=None,
    rng: random.Random | None = None,
    photos: Sequence[UploadedFile] = (),
) -> Appeal:
    """Record an appeal from any channel and give it a tracking number, with the
    photos the resident attached (checked before anything is stored)."""
    photos = list(photos)
    if len(photos) > MAX_APPEAL_PHOTOS:
        raise ValidationError(
            {"photos": _("Attach at most %(count)d photos.") % {"count": MAX_APPEAL_PHOTOS}}
        )
    for photo in photos:
        check_upload(
            photo,
            field="photos",
            signatures=IMAGE_SIGNATURES,
            max_bytes=settings.SHISHI_APPEAL_PHOTO_MAX_BYTES,
            wrong_kind=_("“%(name)s” is not a photo: use JPEG, PNG, GIF or WebP."),
        )
    now = timezone.now()
    appeal = Appeal(
        submitter=submitter,
        **appeal_fields_clean(
            title=title,
            body=body,
            channel=channel,
            event=event,
            category=category,
            received_at=received_at,
            submitter_name=submitter_name,
            submitter_phone=submitter_phone,
            submitter_email=submitter_email,
            address=address,
            community=community,
            lat=lat,
            lng=lng,
            now=now,
        ),
    )
    due = appeal_deadlines(received_at=appeal.received_at, category_id=appeal.category_id)
    appeal.acknowledge_due, appeal.respond_due = due.acknowledge_due, due.respond_due
    if actor is not None and actor.is_staff:
        # Staff who record an appeal (a hotline call, a forum's notes) take it
        # in as they record it; one a resident or a client system files waits
        # for staff.
        _mark_acknowledged(appeal, now)
    # A collision of 30^6 random suffixes on the same day is rare; retry anyway.
    for _attempt in range(10):
        appeal.tracking_number = tracking_number_new(appeal.received_at, rng)
        if not Appeal.objects.filter(tracking_number=appeal.tracking_number).exists():
            break
    save_with_history(appeal, actor=actor, reason="received")
    for photo in photos:
        AppealPhoto.objects.create(
            appeal=appeal, file=photo, original_name=(photo.name or "photo")[:255], size=photo.size
        )
    return appeal


@transaction.atomic
def collection_event_create(
    *,
    channel: str,
    title: str,
    held_on: dt.date,
    unit: Unit,
    count: int = 0,
    organiser=None,
    notes: str = "",
    actor=None,
) -> CollectionEvent:
    """Record one forum, questionnaire batch or visit round with its own count."""
    title = require_text(title, field="title", max_length=TITLE_MAX, label=_("Title"))
    if channel not in Channel.values:
        raise ValidationError(
            {"channel": _("Unknown channel: %(channel)s.") % {"channel": channel}}
        )
    if held_on > timezone.localdate():
        raise ValidationError({"held_on": _("The event's date is in the future.")})
    if not unit.is_active:
        raise ValidationError(
            {"unit": _("The unit “%(unit)s” is no longer active.") % {"unit": unit}}
        )
    if not isinstance(count, int) or count < 0:
        raise ValidationError({"count": _("The count must be a whole number, 0 or more.")})
    event = CollectionEvent(
        channel=channel,
        title=title,
        held_on=held_on,
        unit=unit,
        count=count,
        organiser=organiser,
        notes=optional_text(notes, field="notes", max_length=BODY_MAX, label=_("Notes")),
    )
    save_with_history(event, actor=actor, reason="created")
    return event


def _require_triage_right(actor) -> None:
    if not actor.has_perm("intake.triage_appeal"):
        raise PermissionDenied(_("Only intake clerks may triage appeals."))


def _locked(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update().get(pk=appeal.pk)


def _respond_due_refresh(appeal: Appeal, *, kind: str = "", book=None) -> None:
    """A new category (triage), the kind of the item it joins (accept) or
    leaving that item (its cancellation) may put the appeal under another
    policy: the time to respond is then that policy's, still counted from when
    the appeal was received. Once responded, it stays."""
    if appeal.responded_at is None:
        appeal.respond_due = appeal_deadlines(
            received_at=appeal.received_at, category_id=appeal.category_id, kind=kind, book=book
        ).respond_due


def _mark_acknowledged(appeal: Appeal, now: dt.datetime) -> None:
    # The first staff action counts for the response rate; later ones do not move it.
    if appeal.acknowledged_at is None:
        appeal.acknowledged_at = now


def _mark_responded(appeal: Appeal, now: dt.datetime, outcome: str) -> None:
    _mark_acknowledged(appeal, now)
    if appeal.responded_at is None:
        appeal.responded_at = now
        appeal.outcome = outcome


@transaction.atomic
def appeal_triage(*, appeal: Appeal, actor, category: Category) -> Appeal:
    _require_triage_right(actor)
    appeal = _locked(appeal)
    transition = check_transition(APPEAL_TRANSITIONS, "triage", appeal, AppealStatus.choices)
    if not category.is_active:
        raise ValidationError(
            {"category": _("The category “%(name)s” is no longer in use.") % {"name": category}}
        )
    appeal.category = category
    appeal.status = transition.target
    _respond_due_refresh(appeal)
    _mark_acknowledged(appeal, timezone.now())
    save_with_history(appeal, actor=actor, reason="triaged")
    return appeal


@transaction.atomic
def appeal_accept(*, appeal: Appeal, actor, item) -> Appeal:
    """Accept an appeal into a ledger item (merging it with the item's other appeals)."""
    _require_triage_right(actor)
    appeal = _locked(appeal)
    transition = check_transition(APPEAL_TRANSITIONS, "accept", appeal, AppealStatus.choices)
    # Judge the item as it is now, not as the caller last saw it.
    item = type(item).objects.select_for_update().get(pk=item.pk)
    if not item.takes_appeals:
        raise ValidationError(
            {
                "item": _("“%(item)s” is %(status)s and takes no more appeals.")
                % {"item": item, "status": item.get_status_display()}
            }
        )
    appeal.item = item
    appeal.category = appeal.category or item.category
    appeal.status = transition.target
    _respond_due_refresh(appeal, kind=item.kind)
    _mark_acknowledged(appeal, timezone.now())
    save_with_history(appeal, actor=actor, reason=f"accepted into {item.number}")
    return appeal


@transaction.atomic
def appeal_answer(*, appeal: Appeal, actor, answer: str) -> Appeal:
    _require_triage_right(actor)
    answer = require_text(answer, field="answer", max_length=BODY_MAX, label=_("Answer"))
    appeal = _locked(appeal)
    transition = check_transition(APPEAL_TRANSITIONS, "answer", appeal, AppealStatus.choices)
    appeal.status = transition.target
    appeal.status_note = answer
    _mark_responded(appeal, timezone.now(), AppealOutcome.ANSWERED)
    save_with_history(appeal, actor=actor, reason="answered")
    notice_record(
        appeal=appeal, message=_("Your appeal has been answered: %(answer)s") % {"answer": answer}
    )
    return appeal


@transaction.atomic
def appeal_reject(*, appeal: Appeal, actor, reason: str) -> Appeal:
    _require_triage_right(actor)
    reason = require_text(reason, field="reason", max_length=BODY_MAX, label=_("Reason"))
    appeal = _locked(appeal)
    transition = check_transition(APPEAL_TRANSITIONS, "reject", appeal, AppealStatus.choices)
    appeal.status = transition.target
    appeal.status_note = reason
    _mark_responded(appeal, timezone.now(), AppealOutcome.REJECTED)
    save_with_history(appeal, actor=actor, reason="rejected")
    notice_record(
        appeal=appeal, message=_("Your appeal was not accepted: %(reason)s") % {"reason": reason}
    )
    return appeal


@transaction.atomic
def appeal_close(*, appeal: Appeal, actor) -> Appeal:
    _require_triage_right(actor)
    appeal = _locked(appeal)
    transition = check_transition(APPEAL_TRANSITIONS, "close", appeal, AppealStatus.choices)
    appeal.status = transition.target
    appeal.closed_at = timezone.now()
    save_with_history(appeal, actor=actor, reason="closed")
    return appeal


def appeals_follow_item(
    *, item, actor, transition_name: str, message: str = "", invites_rating: bool = False
) -> int:
    """Move every appeal of `item` that the transition applies to (settling closes
    them, reopening reopens them, cancelling releases them). Called by the ledger
    services inside their transaction; returns how many moved."""
    transition = APPEAL_TRANSITIONS[transition_name]
    moved = 0
    now = timezone.now()
    book = None  # the service levels, loaded once if an appeal needs them
    for appeal in item.appeals.select_for_update().filter(status__in=transition.sources):
        appeal.status = transition.target
        if transition.target == AppealStatus.CLOSED:
            appeal.closed_at = now
            # The item settled: the resident has had the reply the appeal asked for.
            _mark_responded(appeal, now, AppealOutcome.SETTLED)
        elif transition.target == AppealStatus.TRIAGED:
            appeal.item = None
            appeal.closed_at = None
            book = book or PolicyBook.load()
            _respond_due_refresh(appeal, book=book)
        else:
            appeal.closed_at = None
        save_with_history(appeal, actor=actor, reason=f"{transition_name} {item.number}")
        if message:
            notice_record(appeal=appeal, message=message, invites_rating=invites_rating)
        moved += 1
    return moved


def notice_record(*, appeal: Appeal, message: str, invites_rating: bool = False) -> AppealNotice:
    """Record that the appeal's submitter is owed this message."""
    return AppealNotice.objects.create(
        appeal=appeal, message=message, invites_rating=invites_rating
    )
