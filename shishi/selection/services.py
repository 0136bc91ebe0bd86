"""评选: a call → nominations → reviewers' scores → the selected, published."""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Avg, Count
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.org.models import Unit

from .models import MAX_SCORE, NAME_MAX, TEXT_MAX, Call, Nomination, Score


def can_review(user) -> bool:
    return user.is_active and user.has_perm("selection.review_nomination")


def can_manage(user) -> bool:
    return user.is_active and user.has_perm("selection.change_call")


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def call_create(
    *, title: str, deadline: dt.datetime, places: int, actor, description: str = ""
) -> Call:
    if not can_manage(actor):
        raise PermissionDenied(_("Only the staff who run selections may open a call."))
    title = require_text(title, field="title", max_length=200, label=_("Title"))
    if Call.objects.filter(title=title).exists():
        raise ValidationError(
            {"title": _("A call named “%(title)s” exists already.") % {"title": title}}
        )
    if places < 1:
        raise ValidationError({"places": _("A call has at least one place.")})
    call = Call(
        title=title,
        deadline=deadline,
        places=places,
        description=optional_text(
            description, field="description", max_length=TEXT_MAX, label=_("Description")
        ),
    )
    save_with_history(call, actor=actor, reason="created")
    return call


@transaction.atomic
def nomination_submit(
    *, call: Call, nominee: str, unit: Unit, materials: str, actor, nominee_user=None
) -> Nomination:
    now = timezone.now()
    if now > call.deadline:
        raise ValidationError(
            _("Nominations to “%(call)s” closed at %(deadline)s.")
            % {
                "call": call,
                "deadline": timezone.localtime(call.deadline).strftime("%Y-%m-%d %H:%M"),
            }
        )
    nominee = require_text(nominee, field="nominee", max_length=NAME_MAX, label=_("Nominee"))
    materials = require_text(
        materials, field="materials", max_length=TEXT_MAX, label=_("Materials")
    )
    if unit is None or not unit.is_active:
        raise ValidationError({"unit": _("Choose a unit that is in use.")})
    if call.nominations.filter(nominee=nominee, unit=unit).exists():
        raise ValidationError(
            {
                "nominee": _("%(nominee)s of %(unit)s is already nominated.")
                % {"nominee": nominee, "unit": unit}
            }
        )
    nomination = Nomination(
        call=call,
        nominee=nominee,
        unit=unit,
        materials=materials,
        nominee_user=nominee_user,
        submitted_at=now,
    )
    save_with_history(nomination, actor=actor, reason="nominated")
    return nomination


@transaction.atomic
def score_submit(*, nomination: Nomination, reviewer, points) -> Score:
    """A reviewer's score, once per nomination, before the call is published."""
    if not can_review(reviewer):
        raise PermissionDenied(_("Only a reviewer may score nominations."))
    if nomination.nominee_user_id == reviewer.pk:
        raise PermissionDenied(_("Nobody scores their own nomination."))
    call = _locked(nomination.call)
    if call.is_published:
        raise ValidationError(_("“%(call)s” is published: scores are closed.") % {"call": call})
    try:
        points = int(str(points).strip())
    except (TypeError, ValueError):
        raise ValidationError(
            {"points": _("A score is a whole number from 0 to %(max)d.") % {"max": MAX_SCORE}}
        ) from None
    if not 0 <= points <= MAX_SCORE:
        raise ValidationError(
            {"points": _("A score is a whole number from 0 to %(max)d.") % {"max": MAX_SCORE}}
        )
    already = _("%(reviewer)s has already scored %(nomination)s.") % {
        "reviewer": reviewer,
        "nomination": nomination,
    }
    if Score.objects.filter(nomination=nomination, reviewer=reviewer).exists():
        raise ValidationError(already, code="already_scored")
    score = Score(nomination=nomination, reviewer=reviewer, points=points, scored_at=timezone.now())
    try:
        with transaction.atomic():
            save_with_history(score, actor=reviewer, reason="scored")
    except IntegrityError:
        raise ValidationError(already, code="already_scored") from None
    return score


def ranking(call: Call):
    """The nominations, best average score first (ties: more scores, then the
    earlier nomination)."""
    return call.nominations.annotate(
        average=Avg("scores__points"), scores_count=Count("scores")
    ).order_by("-average", "-scores_count", "pk")


@transaction.atomic
def call_publish(*, call: Call, actor) -> list[Nomination]:
    """After the deadline, the best `places` nominations (every one scored) are
    selected and the results published."""
    if not can_manage(actor):
        raise PermissionDenied(_("Only the staff who run selections may publish the results."))
    call = _locked(call)
    if call.is_published:
        raise ValidationError(_("“%(call)s” is already published.") % {"call": call})
    if timezone.now() <= call.deadline:
        raise ValidationError(_("Nominations are still open: publish after the deadline."))
    unscored = call.nominations.filter(scores__isnull=True).count()
    if unscored:
        raise ValidationError(
            _("%(n)d nominations have no score yet.") % {"n": unscored}, code="unscored"
        )
    selected = list(ranking(call)[: call.places])
    for nomination in selected:
        nomination.selected = True
        save_with_history(nomination, actor=actor, reason="selected")
    call.published_at = timezone.now()
    save_with_history(call, actor=actor, reason="published")
    return selected


def scores_visible(user, nomination: Nomination) -> bool:
    """Scores are for the reviewers and the staff who run the call; the nominee
    (and anyone else) sees them only once the results are published."""
    if nomination.call.is_published:
        return True
    if nomination.nominee_user_id is not None and nomination.nominee_user_id == user.pk:
        return False
    return can_review(user) or can_manage(user)
