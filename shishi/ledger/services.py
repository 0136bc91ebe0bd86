"""Every write to the ledger goes through these functions: the web, the admin
actions, the command line and the demo all call them."""

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.core.lifecycle import check_transition, optional_text, require_text, save_with_history
from shishi.core.services import sequence_next
from shishi.core.uploads import IMAGE_SIGNATURES, PDF_SIGNATURES, check_upload
from shishi.intake.services import appeals_follow_item
from shishi.org.models import Unit
from shishi.service_levels.deadlines import item_settle_due

from . import permissions
from .lifecycle import ITEM_TRANSITIONS
from .models import (
    OWNED_STATUSES,
    TEXT_MAX,
    TITLE_MAX,
    Evidence,
    EvidencePurpose,
    FollowUp,
    ItemStatus,
    KindPolicy,
    LedgerItem,
    ProgressActual,
    ProgressReport,
    Satisfaction,
    Target,
    appellant_has_rated,
    week_start,
)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
# Evidence is photos and documents.
EVIDENCE_SIGNATURES = {**IMAGE_SIGNATURES, **PDF_SIGNATURES}


@dataclass(frozen=True)
class TargetSpec:
    name: str
    unit_of_measure: str
    target_quantity: Decimal | int | str


def _quantity(value, *, field: str, label: str) -> Decimal:
    try:
        quantity = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError(
            {field: _("%(field)s is not a number: “%(value)s”.") % {"field": label, "value": value}}
        ) from None
    if not quantity.is_finite():
        raise ValidationError(
            {field: _("%(field)s is not a number: “%(value)s”.") % {"field": label, "value": value}}
        )
    if quantity < 0:
        raise ValidationError(
            {
                field: _("%(field)s cannot be negative (%(value)s).")
                % {"field": label, "value": value}
            }
        )
    if quantity >= Decimal("1e14"):
        raise ValidationError(
            {field: _("%(field)s is too large (%(value)s).") % {"field": label, "value": value}}
        )
    return quantity.quantize(Decimal("0.01"))


def _clean_targets(targets: Iterable[TargetSpec | Mapping]) -> list[TargetSpec]:
    cleaned, names = [], set()
    for i, spec in enumerate(targets, start=1):
        if isinstance(spec, Mapping):
            spec = TargetSpec(**spec)
        field = f"targets[{i}]"
        name = require_text(spec.name, field=field, max_length=100, label=_("Target name"))
        uom = require_text(
            spec.unit_of_measure, field=field, max_length=20, label=_("Unit of measure")
        )
        if name in names:
            raise ValidationError(
                {field: _("The target “%(name)s” is listed twice.") % {"name": name}}
            )
        names.add(name)
        quantity = _quantity(spec.target_quantity, field=field, label=_("Target quantity"))
        cleaned.append(TargetSpec(name, uom, quantity))
    return cleaned


def _locked(item: LedgerItem) -> LedgerItem:
    # The row lock (PostgreSQL) or the IMMEDIATE transaction (SQLite) serialises
    # concurrent transitions; the status is checked after the lock is held.
    return LedgerItem.objects.select_for_update().get(pk=item.pk)


def _move(
    item: LedgerItem, name: str, *, actor, reason: str = "", target: str | None = None
) -> None:
    transition = check_transition(ITEM_TRANSITIONS, name, item, ItemStatus.choices)
    item.status = target or transition.target
    if reason:
        item.status_note = reason
    save_with_history(item, actor=actor, reason=f"{name}: {reason}" if reason else name)


def _check_deadline(deadline: dt.datetime) -> None:
    if timezone.is_naive(deadline):
        raise ValidationError({"deadline": _("The deadline must include a time zone.")})
    if deadline <= timezone.now():
        raise ValidationError(
            {
                "deadline": _("The deadline %(deadline)s has already passed.")
                % {"deadline": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M")}
            }
        )


@transaction.atomic
def item_create(
    *,
    kind: str,
    title: str,
    category: Category,
    actor,
    description: str = "",
    deadline: dt.datetime | None = None,
    targets: Iterable[TargetSpec | Mapping] = (),
    lead_unit: Unit | None = None,
    cooperating_units: Iterable[Unit] = (),
    number: str | None = None,
) -> LedgerItem:
    """Create a draft ledger item with its targets."""
    policy = KindPolicy.objects.filter(kind=kind).first()
    if policy is None:
        raise ValidationError({"kind": _("Unknown ledger item kind: %(kind)s.") % {"kind": kind}})
    permissions.require_open(actor, kind)
    title = require_text(title, field="title", max_length=TITLE_MAX, label=_("Title"))
    description = optional_text(
        description, field="description", max_length=TEXT_MAX, label=_("Description")
    )
    if category is None or not category.is_active:
        raise ValidationError({"category": _("Choose a category that is in use.")})
    if deadline is None:
        # A service level's time to settle (a claim: 24 hours from the
        # application) comes first; else the kind's default.
        now = timezone.now()
        deadline = (
            item_settle_due(start=now, kind=kind, category_id=category.pk)
            or now + policy.default_deadline
        )
    _check_deadline(deadline)
    cleaned_targets = _clean_targets(targets)
    if lead_unit is not None and not lead_unit.is_active:
        raise ValidationError(
            {"lead_unit": _("The unit “%(unit)s” is no longer active.") % {"unit": lead_unit}}
        )
    item = LedgerItem(
        number=number
        or f"{policy.number_prefix}-{timezone.localdate():%Y}-{sequence_next(f'item-{kind}-{timezone.localdate():%Y}'):04d}",
        kind=kind,
        title=title,
        description=description,
        category=category,
        deadline=deadline,
        lead_unit=lead_unit,
        created_by=actor,
    )
    save_with_history(item, actor=actor, reason="created")
    item.cooperating_units.set(list(cooperating_units))
    for order, spec in enumerate(cleaned_targets):
        target = Target(
            item=item,
            name=spec.name,
            unit_of_measure=spec.unit_of_measure,
            target_quantity=spec.target_quantity,
            sort_order=order,
        )
        save_with_history(target, actor=actor, reason="created")
    return item


@transaction.atomic
def item_open(*, item: LedgerItem, actor) -> LedgerItem:
    """建账: the draft becomes a public commitment."""
    item = _locked(item)
    permissions.require_open(actor, item.kind)
    check_transition(ITEM_TRANSITIONS, "open", item, ItemStatus.choices)
    _check_deadline(item.deadline)
    policy = KindPolicy.objects.get(kind=item.kind)
    if policy.requires_targets and not item.targets.exists():
        raise ValidationError(
            {
                "targets": _("A %(kind)s needs at least one measurable target before it is opened.")
                % {"kind": item.get_kind_display()}
            }
        )
    item.opened_at = timezone.now()
    _move(item, "open", actor=actor)
    return item


@transaction.atomic
def item_claim(*, item: LedgerItem, actor, lead_unit: Unit, owner=None) -> LedgerItem:
    """领账: a responsible leader and a lead unit take the item. Of two
    simultaneous claims exactly one wins; the other is told who was first."""
    permissions.require_claim(actor)
    owner = owner or actor
    if owner != actor:
        permissions.require_claim(owner)
    item = _locked(item)
    if item.status in OWNED_STATUSES and item.owner_id:
        raise ValidationError(
            _("“%(item)s” was already claimed by %(owner)s at %(when)s.")
            % {
                "item": item,
                "owner": item.owner,
                "when": timezone.localtime(item.claimed_at).strftime("%Y-%m-%d %H:%M")
                if item.claimed_at
                else "—",
            },
            code="already_claimed",
        )
    check_transition(ITEM_TRANSITIONS, "claim", item, ItemStatus.choices)
    if lead_unit is None or not lead_unit.is_active:
        raise ValidationError({"lead_unit": _("Choose an active lead unit.")})
    item.owner = owner
    item.lead_unit = lead_unit
    item.claimed_by = actor
    item.claimed_at = timezone.now()
    _move(item, "claim", actor=actor)
    return item


@transaction.atomic
def item_start(*, item: LedgerItem, actor) -> LedgerItem:
    item = _locked(item)
    permissions.require_report(actor, item)
    _move(item, "start", actor=actor)
    return item


def _check_evidence_file(upload: UploadedFile) -> None:
    check_upload(
        upload,
        field="evidence",
        signatures=EVIDENCE_SIGNATURES,
        max_bytes=MAX_EVIDENCE_BYTES,
        wrong_kind=_("“%(name)s”: evidence must be a photo (JPEG, PNG, GIF, WebP) or a PDF."),
    )


def _attach(
    *, item: LedgerItem, files: Sequence[UploadedFile], purpose: str, actor, report=None
) -> None:
    # Check every file before storing any, so a bad one leaves nothing behind.
    for upload in files:
        _check_evidence_file(upload)
    for upload in files:
        Evidence.objects.create(
            item=item,
            report=report,
            purpose=purpose,
            file=upload,
            original_name=(upload.name or "file")[:255],
            size=upload.size,
            uploaded_by=actor,
        )


@transaction.atomic
def progress_report_submit(
    *,
    item: LedgerItem,
    actor,
    percent: int,
    narrative: str = "",
    actuals: Mapping[int | str, Decimal | int | str] | None = None,
    week: dt.date | None = None,
    files: Sequence[UploadedFile] = (),
) -> ProgressReport:
    """按周调度: the item's report for the ISO week holding `week` (default: this
    week). Reporting again for the same week makes a new version; the old one is
    kept. Target actuals are keyed by target id or target name."""
    item = _locked(item)
    permissions.require_report(actor, item)
    check_transition(ITEM_TRANSITIONS, "report", item, ItemStatus.choices)
    today = timezone.localdate()
    monday = week_start(week or today)
    if monday > today:
        raise ValidationError({"week": _("Cannot report for a week that has not started.")})
    try:
        percent = int(percent)
    except (TypeError, ValueError):
        raise ValidationError(
            {"percent": _("Percent complete must be a whole number from 0 to 100.")}
        ) from None
    if not 0 <= percent <= 100:
        raise ValidationError(
            {"percent": _("Percent complete must be a whole number from 0 to 100.")}
        )
    narrative = optional_text(
        narrative, field="narrative", max_length=TEXT_MAX, label=_("Narrative")
    )
    for upload in files:
        _check_evidence_file(upload)

    targets = {t.pk: t for t in item.targets.all()}
    by_name = {t.name: t for t in targets.values()}
    resolved: dict[Target, Decimal] = {}
    for key, value in (actuals or {}).items():
        target = targets.get(key) if isinstance(key, int) else by_name.get(str(key))
        if target is None:
            raise ValidationError(
                {"actuals": _("“%(key)s” is not a target of this item.") % {"key": key}}
            )
        resolved[target] = _quantity(value, field="actuals", label=target.name)

    previous = item.progress_reports.filter(week_start=monday, is_current=True).first()
    version = 1
    if previous is not None:
        previous.is_current = False
        save_with_history(previous, actor=actor, reason="superseded")
        version = previous.version + 1
    report = ProgressReport(
        item=item,
        week_start=monday,
        version=version,
        percent=percent,
        narrative=narrative,
        reported_by=actor,
        reported_at=timezone.now(),
    )
    save_with_history(report, actor=actor, reason="corrected" if previous else "reported")
    ProgressActual.objects.bulk_create(
        [ProgressActual(report=report, target=t, quantity=q) for t, q in resolved.items()]
    )
    # A late correction of an old week does not overwrite a newer week's figures.
    newer = item.progress_reports.filter(week_start__gt=monday, is_current=True).exists()
    if not newer:
        for target, quantity in resolved.items():
            target.actual_quantity = quantity
            save_with_history(target, actor=actor, reason=f"reported {report.week_label}")
    _attach(item=item, files=files, purpose=EvidencePurpose.PROGRESS, actor=actor, report=report)
    if item.status == ItemStatus.CLAIMED:
        _move(item, "start", actor=actor)
    return report


@transaction.atomic
def item_submit_for_verification(*, item: LedgerItem, actor, note: str = "") -> LedgerItem:
    item = _locked(item)
    permissions.require_report(actor, item)
    _move(
        item,
        "submit",
        actor=actor,
        reason=optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note")),
    )
    return item


@transaction.atomic
def item_send_back(*, item: LedgerItem, actor, note: str) -> LedgerItem:
    item = _locked(item)
    permissions.require_verify(actor, item)
    note = require_text(note, field="note", max_length=TEXT_MAX, label=_("Note"))
    _move(item, "send_back", actor=actor, reason=note)
    return item


@transaction.atomic
def item_settle(
    *, item: LedgerItem, actor, evidence: str = "", files: Sequence[UploadedFile] = ()
) -> LedgerItem:
    """清账: a verifier other than the owner settles the item on evidence, once every
    target has an actual. Its accepted appeals close and their submitters are owed
    a notice."""
    item = _locked(item)
    permissions.require_verify(actor, item)
    check_transition(ITEM_TRANSITIONS, "settle", item, ItemStatus.choices)
    evidence = optional_text(evidence, field="evidence", max_length=TEXT_MAX, label=_("Evidence"))
    if (
        not evidence
        and not files
        and not item.evidence.filter(purpose=EvidencePurpose.SETTLEMENT).exists()
    ):
        raise ValidationError(
            {"evidence": _("Settling needs evidence: describe what was verified or attach a file.")}
        )
    missing = [t.name for t in item.targets.all() if t.actual_quantity is None]
    if missing:
        raise ValidationError(
            {
                "targets": _("These targets have no actual yet: %(names)s.")
                % {"names": "、".join(missing)}
            }
        )
    _attach(item=item, files=files, purpose=EvidencePurpose.SETTLEMENT, actor=actor)
    item.verifier = actor
    item.settled_at = timezone.now()
    item.settlement_evidence = evidence
    _move(item, "settle", actor=actor)
    appeals_follow_item(
        item=item,
        actor=actor,
        transition_name="close_with_item",
        message=_(
            "The ledger item “%(item)s” that answers your appeal has been completed and "
            "verified. Please tell us whether you are satisfied with the result."
        )
        % {"item": item.title},
        invites_rating=True,
    )
    return item


@transaction.atomic
def item_reopen(*, item: LedgerItem, actor, reason: str) -> LedgerItem:
    item = _locked(item)
    permissions.require_manage(actor)
    reason = require_text(reason, field="reason", max_length=TEXT_MAX, label=_("Reason"))
    was_settled = item.status == ItemStatus.SETTLED
    target = ItemStatus.IN_PROGRESS if item.owner_id else ItemStatus.OPEN
    if was_settled:
        item.verifier = None
        item.settled_at = None
    _move(item, "reopen", actor=actor, reason=reason, target=target)
    if was_settled:
        appeals_follow_item(
            item=item,
            actor=actor,
            transition_name="reopen_with_item",
            message=_("The ledger item “%(item)s” has been reopened: %(reason)s")
            % {"item": item.title, "reason": reason},
        )
    return item


@transaction.atomic
def item_suspend(*, item: LedgerItem, actor, reason: str) -> LedgerItem:
    item = _locked(item)
    permissions.require_manage(actor)
    reason = require_text(reason, field="reason", max_length=TEXT_MAX, label=_("Reason"))
    check_transition(ITEM_TRANSITIONS, "suspend", item, ItemStatus.choices)
    item.status_before_suspension = item.status
    _move(item, "suspend", actor=actor, reason=reason)
    return item


@transaction.atomic
def item_resume(*, item: LedgerItem, actor, note: str = "") -> LedgerItem:
    item = _locked(item)
    permissions.require_manage(actor)
    check_transition(ITEM_TRANSITIONS, "resume", item, ItemStatus.choices)
    target = item.status_before_suspension or ItemStatus.OPEN
    item.status_before_suspension = ""
    _move(
        item,
        "resume",
        actor=actor,
        reason=optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note")),
        target=target,
    )
    return item


@transaction.atomic
def item_cancel(*, item: LedgerItem, actor, reason: str) -> LedgerItem:
    item = _locked(item)
    permissions.require_manage(actor)
    reason = require_text(reason, field="reason", max_length=TEXT_MAX, label=_("Reason"))
    _move(item, "cancel", actor=actor, reason=reason)
    # Its appeals go back to the intake queue to be handled another way.
    appeals_follow_item(item=item, actor=actor, transition_name="release_from_item")
    return item


@transaction.atomic
def followup_record(
    *, item: LedgerItem, actor, result: str, note: str = "", appeal=None, reopen: bool = False
) -> FollowUp:
    """回访: an appellant's satisfaction with a settled item. A dissatisfied
    result may reopen the item (the note becomes the reason)."""
    permissions.require(
        permissions.can_record_followup(actor), _("Only a supervisor may record follow-ups.")
    )
    item = _locked(item)
    if item.status != ItemStatus.SETTLED:
        raise ValidationError(
            _("Follow-ups are recorded for settled items; “%(item)s” is %(status)s.")
            % {"item": item, "status": item.get_status_display()}
        )
    if result not in Satisfaction.values:
        raise ValidationError(
            {"result": _("Unknown follow-up result: %(result)s.") % {"result": result}}
        )
    if appeal is not None and appeal.item_id != item.pk:
        raise ValidationError({"appeal": _("That appeal does not belong to this item.")})
    note = optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note"))
    if reopen and result != Satisfaction.DISSATISFIED:
        raise ValidationError({"reopen": _("Only a dissatisfied follow-up reopens an item.")})
    followup = FollowUp(item=item, appeal=appeal, result=result, note=note, recorded_by=actor)
    save_with_history(followup, actor=actor, reason="recorded")
    if reopen:
        item_reopen(item=item, actor=actor, reason=note or _("Dissatisfied follow-up"))
    return followup


@transaction.atomic
def followup_submit_by_appellant(
    *, appeal, result: str, note: str = "", actor=None, key: str = ""
) -> FollowUp:
    """回访 by the resident: the item that settled the appeal is rated once per
    settlement (a reopened and settled-again item may be rated again). Only the
    appellant may: with the key from their notice, or signed in to the account
    they filed with. The public tracking number alone never suffices."""
    from shishi.intake.models import Appeal
    from shishi.intake.rating_keys import may_rate

    if not may_rate(appeal, actor=actor, key=key):
        raise PermissionDenied(
            _(
                "Only the resident who filed this appeal can rate it: open the link in the "
                "notice we sent you, or sign in to the account you filed it with."
            )
        )
    appeal = Appeal.objects.select_for_update().get(pk=appeal.pk)
    item = appeal.item
    if item is None or item.status != ItemStatus.SETTLED:
        raise ValidationError(
            _("This appeal can be rated once the item that answers it has been settled.")
        )
    if result not in Satisfaction.values:
        raise ValidationError(
            {"result": _("Unknown follow-up result: %(result)s.") % {"result": result}}
        )
    if appellant_has_rated(appeal, item):
        raise ValidationError(_("You have already rated this result. Thank you."))
    note = optional_text(note, field="note", max_length=TEXT_MAX, label=_("Note"))
    followup = FollowUp(
        item=item,
        appeal=appeal,
        result=result,
        note=note,
        recorded_by=actor if actor is not None and actor.is_authenticated else None,
        by_appellant=True,
    )
    save_with_history(followup, actor=followup.recorded_by, reason="rated by the appellant")
    return followup
