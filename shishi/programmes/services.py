"""Every write to programmes and their records goes through these functions:
the pages, the imports, the command line and the demo all call them. Items
are created, opened and settled through the ledger's own services."""

import datetime as dt
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shishi.categories.models import Category
from shishi.core.lifecycle import optional_text, require_text, save_with_history
from shishi.intake.models import Appeal, Channel, CollectionEvent
from shishi.ledger import services as ledger
from shishi.ledger.models import ItemKind, LedgerItem, Target
from shishi.org.models import Unit

from . import permissions
from .models import (
    NAME_MAX,
    TEXT_MAX,
    Asset,
    AssetKind,
    ClaimApplication,
    ClaimPoint,
    ClaimStaff,
    ClaimStaffRole,
    ClaimStation,
    EnterpriseProblem,
    EnterpriseVisit,
    ForumAttendee,
    HouseholdVisit,
    Programme,
    Question,
    Questionnaire,
    QuestionnaireResponse,
    ServiceBundle,
    ServiceItem,
    TargetSource,
    TargetSourceKind,
)

BULK_BATCH = 2000


def _name(value, field: str, label: str, max_length: int = NAME_MAX) -> str:
    return require_text(value, field=field, max_length=max_length, label=label)


def _date(value, field: str, label: str) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localdate(value)
    if not isinstance(value, dt.date):
        raise ValidationError({field: _("%(field)s must be a date.") % {"field": label}})
    if value > timezone.localdate():
        raise ValidationError({field: _("%(field)s is in the future.") % {"field": label}})
    return value


def records_bulk_create(model, objs: Sequence, *, actor, reason: str = "created") -> list:
    """Many records at once, each with its creation in the history (the demo's
    thousands of responses and visits, an import's rows). The caller has
    checked them; the database's constraints are the last word."""
    return bulk_create_with_history(
        list(objs),
        model,
        batch_size=BULK_BATCH,
        default_user=actor,
        default_change_reason=reason,
        default_date=timezone.now(),
    )


# ------------------------------------------------------------ programmes


@transaction.atomic
def programme_create(
    *, code: str, name: str, actor, description: str = "", lead_unit: Unit | None = None
) -> Programme:
    permissions.require_manage(actor)
    code = _name(code, "code", _("Code"), 50)
    name = _name(name, "name", _("Name"))
    if Programme.objects.filter(name=name).exists() or Programme.objects.filter(code=code).exists():
        raise ValidationError(
            {"name": _("A programme “%(name)s” exists already.") % {"name": name}}
        )
    programme = Programme(
        code=code,
        name=name,
        description=optional_text(
            description, field="description", max_length=TEXT_MAX, label=_("Description")
        ),
        lead_unit=lead_unit,
    )
    programme.full_clean()
    save_with_history(programme, actor=actor, reason="created")
    return programme


# ------------------------------------------------------------ 万人助万企


def _visit(
    programme: Programme, enterprise, visitors, visited_on, unit, notes, actor
) -> EnterpriseVisit:
    if not programme.is_active:
        raise ValidationError(
            {"programme": _("The programme “%(name)s” is closed.") % {"name": programme}}
        )
    return EnterpriseVisit(
        programme=programme,
        enterprise=_name(enterprise, "enterprise", _("Enterprise")),
        visitors=_name(visitors, "visitors", _("Visitors")),
        unit=unit,
        visited_on=_date(visited_on, "visited_on", _("Visit date")),
        notes=optional_text(notes, field="notes", max_length=TEXT_MAX, label=_("Notes")),
        recorded_by=actor,
    )


@transaction.atomic
def enterprise_visit_record(
    *,
    programme: Programme,
    enterprise: str,
    visitors: str,
    visited_on: dt.date,
    actor,
    unit: Unit | None = None,
    notes: str = "",
) -> EnterpriseVisit:
    """走访调研: one visit to one enterprise."""
    permissions.require_enterprise_visit(actor)
    visit = _visit(programme, enterprise, visitors, visited_on, unit, notes, actor)
    save_with_history(visit, actor=actor, reason="recorded")
    _refresh(actor, TargetSourceKind.ENTERPRISE_VISITS)
    return visit


@transaction.atomic
def enterprise_visits_bulk_record(
    *, programme: Programme, visits: Iterable[dict], actor
) -> list[EnterpriseVisit]:
    """Many visits at once (a district's round of visits), checked like one."""
    permissions.require_enterprise_visit(actor)
    rows = []
    for row, visit in enumerate(visits, start=1):
        try:
            rows.append(_visit(programme, actor=actor, **{"unit": None, "notes": "", **visit}))
        except ValidationError as error:
            raise ValidationError(
                _("Visit %(row)d: %(errors)s") % {"row": row, "errors": "; ".join(error.messages)}
            ) from None
    visits = records_bulk_create(EnterpriseVisit, rows, actor=actor, reason="recorded")
    _refresh(actor, TargetSourceKind.ENTERPRISE_VISITS)
    return visits


@transaction.atomic
def enterprise_problem_record(
    *,
    visit: EnterpriseVisit,
    title: str,
    category: Category,
    actor,
    description: str = "",
    lead_unit: Unit | None = None,
) -> EnterpriseProblem:
    """A problem the visit found, opened on the ledger as an enterprise problem
    of the visit's programme."""
    permissions.require_enterprise_visit(actor)
    item = ledger.item_create(
        kind=ItemKind.ENTERPRISE_PROBLEM,
        title=title,
        category=category,
        actor=actor,
        description=description,
        lead_unit=lead_unit,
        programme=visit.programme,
    )
    item = ledger.item_open(item=item, actor=actor)
    problem = EnterpriseProblem(visit=visit, item=item)
    save_with_history(problem, actor=actor, reason="found")
    return problem


@transaction.atomic
def enterprise_problem_solve_on_spot(
    *,
    problem: EnterpriseProblem,
    actor,
    evidence: str,
    note: str,
    owner=None,
    lead_unit: Unit | None = None,
    files: Sequence[UploadedFile] = (),
) -> LedgerItem:
    """现场解决: settled at once through the ledger's on-the-spot path."""
    item = ledger.item_settle_on_spot(
        item=problem.item,
        actor=actor,
        evidence=evidence,
        note=note,
        owner=owner,
        lead_unit=lead_unit,
        files=files,
    )
    _refresh(actor, TargetSourceKind.ON_SPOT, TargetSourceKind.PROGRAMME_SETTLED)
    return item


# ------------------------------------------------------------ 灾后理赔


@transaction.atomic
def claim_station_create(*, programme: Programme, name: str, unit: Unit, actor) -> ClaimStation:
    permissions.require_manage(actor)
    station = ClaimStation(programme=programme, name=_name(name, "name", _("Name")), unit=unit)
    station.validate_unique()
    save_with_history(station, actor=actor, reason="created")
    return station


@transaction.atomic
def claim_point_create(
    *, station: ClaimStation, name: str, actor, community: Unit | None = None
) -> ClaimPoint:
    permissions.require_manage(actor)
    point = ClaimPoint(station=station, name=_name(name, "name", _("Name")), community=community)
    point.validate_unique()
    save_with_history(point, actor=actor, reason="created")
    return point


@transaction.atomic
def claim_staff_create(*, station: ClaimStation, name: str, role: str, actor) -> ClaimStaff:
    permissions.require_manage(actor)
    if role not in ClaimStaffRole.values:
        raise ValidationError({"role": _("Unknown role: %(role)s.") % {"role": role}})
    staff = ClaimStaff(station=station, name=_name(name, "name", _("Name"), 100), role=role)
    save_with_history(staff, actor=actor, reason="created")
    return staff


@transaction.atomic
def claim_apply(
    *,
    point: ClaimPoint,
    applicant: str,
    title: str,
    category: Category,
    actor,
    description: str = "",
    amount: Decimal | int | str | None = None,
) -> ClaimApplication:
    """An application at a registration point: a claim item of the station's
    programme, routed to the station's street as lead unit, due (by the
    claims' service level) 24 hours after it was made."""
    permissions.require_claim_apply(actor)
    applicant = _name(applicant, "applicant", _("Applicant"), 100)
    if amount not in (None, ""):
        try:
            amount = Decimal(str(amount))
        except ArithmeticError:
            raise ValidationError({"amount": _("The amount is not a number.")}) from None
        if not amount.is_finite() or amount < 0:
            raise ValidationError({"amount": _("The amount cannot be negative.")})
    else:
        amount = None
    station = point.station
    item = ledger.item_create(
        kind=ItemKind.CLAIM,
        title=title,
        category=category,
        actor=actor,
        description=description,
        lead_unit=station.unit,
        programme=station.programme,
    )
    item = ledger.item_open(item=item, actor=actor)
    application = ClaimApplication(
        item=item,
        point=point,
        station=station,
        applicant=applicant,
        applied_at=item.created_at,
        amount=amount,
    )
    save_with_history(application, actor=actor, reason="applied")
    return application


# ------------------------------------------------------------ collection records


@transaction.atomic
def questionnaire_create(
    *, title: str, questions: Sequence[str], actor, programme: Programme | None = None
) -> Questionnaire:
    permissions.require_collection(actor)
    questionnaire = Questionnaire(title=_name(title, "title", _("Title")), programme=programme)
    questionnaire.validate_unique()
    if not questions:
        raise ValidationError({"questions": _("A questionnaire needs at least one question.")})
    save_with_history(questionnaire, actor=actor, reason="created")
    for number, text in enumerate(questions, start=1):
        question = Question(
            questionnaire=questionnaire,
            number=number,
            text=_name(text, f"questions[{number}]", _("Question"), 500),
        )
        save_with_history(question, actor=actor, reason="created")
    return questionnaire


def _event(event: CollectionEvent | None, channel: str) -> None:
    if event is not None and event.channel != channel:
        raise ValidationError(
            {
                "event": _("“%(event)s” is not a %(channel)s.")
                % {"event": event, "channel": Channel(channel).label}
            }
        )


def questionnaire_numbers(questionnaire: Questionnaire) -> list[int]:
    return list(questionnaire.questions.values_list("number", flat=True))


@transaction.atomic
def questionnaire_responses_record(
    *,
    questionnaire: Questionnaire,
    responses: Iterable[dict],
    actor,
    event: CollectionEvent | None = None,
) -> list[QuestionnaireResponse]:
    """Responses entered from a batch: each dict has answered_on and optionally
    respondent, community, answers ({question number: text})."""
    permissions.require_collection(actor)
    _event(event, Channel.QUESTIONNAIRE)
    numbers = {str(n) for n in questionnaire_numbers(questionnaire)}
    rows = []
    for row, data in enumerate(responses, start=1):
        answers = {str(k): str(v) for k, v in (data.get("answers") or {}).items()}
        unknown = sorted(set(answers) - numbers)
        try:
            if unknown:
                raise ValidationError(
                    {
                        "answers": _("No such question: %(numbers)s.")
                        % {"numbers": "、".join(unknown)}
                    }
                )
            rows.append(
                QuestionnaireResponse(
                    questionnaire=questionnaire,
                    event=event,
                    respondent=optional_text(
                        data.get("respondent", ""),
                        field="respondent",
                        max_length=100,
                        label=_("Respondent"),
                    ),
                    community=data.get("community"),
                    answered_on=_date(data.get("answered_on"), "answered_on", _("Date answered")),
                    answers=answers,
                    recorded_by=actor,
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Response %(row)d: %(errors)s")
                % {"row": row, "errors": "; ".join(error.messages)}
            ) from None
    responses = records_bulk_create(QuestionnaireResponse, rows, actor=actor, reason="recorded")
    _refresh(actor, TargetSourceKind.QUESTIONNAIRE_RESPONSES)
    return responses


@transaction.atomic
def household_visits_record(
    *, visits: Iterable[dict], actor, event: CollectionEvent | None = None
) -> list[HouseholdVisit]:
    """入户走访 records: each dict has household, visitor, visited_on and
    optionally community and notes."""
    permissions.require_collection(actor)
    _event(event, Channel.VISIT)
    rows = []
    for row, data in enumerate(visits, start=1):
        try:
            visitor = data.get("visitor")
            if visitor is None:
                raise ValidationError({"visitor": _("Name who visited.")})
            rows.append(
                HouseholdVisit(
                    event=event,
                    household=_name(data.get("household"), "household", _("Household")),
                    community=data.get("community"),
                    visitor=visitor,
                    visited_on=_date(data.get("visited_on"), "visited_on", _("Visit date")),
                    notes=optional_text(
                        data.get("notes", ""), field="notes", max_length=TEXT_MAX, label=_("Notes")
                    ),
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Visit %(row)d: %(errors)s") % {"row": row, "errors": "; ".join(error.messages)}
            ) from None
    visits = records_bulk_create(HouseholdVisit, rows, actor=actor, reason="recorded")
    _refresh(actor, TargetSourceKind.HOUSEHOLD_VISITS)
    return visits


@transaction.atomic
def forum_attendees_record(
    *, event: CollectionEvent, attendees: Iterable[dict], actor
) -> list[ForumAttendee]:
    """Who took part in a forum: each dict has name and optionally affiliation."""
    permissions.require_collection(actor)
    if event.channel != Channel.FORUM:
        raise ValidationError({"event": _("“%(event)s” is not a forum.") % {"event": event}})
    rows = []
    for row, data in enumerate(attendees, start=1):
        try:
            rows.append(
                ForumAttendee(
                    event=event,
                    name=_name(data.get("name"), "name", _("Name"), 100),
                    affiliation=optional_text(
                        data.get("affiliation", ""),
                        field="affiliation",
                        max_length=NAME_MAX,
                        label=_("Affiliation"),
                    ),
                )
            )
        except ValidationError as error:
            raise ValidationError(
                _("Attendee %(row)d: %(errors)s")
                % {"row": row, "errors": "; ".join(error.messages)}
            ) from None
    return records_bulk_create(ForumAttendee, rows, actor=actor, reason="recorded")


@transaction.atomic
def appeals_link_sources(*, links: Iterable[tuple[Appeal, object]], actor) -> int:
    """Say which response or visit each appeal was raised in. An appeal comes
    from one record, of its own channel; linking it again to another refuses."""
    permissions.require_collection(actor)
    changed = []
    for appeal, record in links:
        if isinstance(record, QuestionnaireResponse):
            field, channel = "questionnaire_response", Channel.QUESTIONNAIRE
        elif isinstance(record, HouseholdVisit):
            field, channel = "household_visit", Channel.VISIT
        else:
            raise ValidationError(
                _("An appeal is raised in a questionnaire response or a household visit.")
            )
        if appeal.channel != channel:
            raise ValidationError(
                _("Appeal %(number)s came by %(channel)s, not from this record.")
                % {"number": appeal.tracking_number, "channel": appeal.get_channel_display()}
            )
        current = getattr(appeal, f"{field}_id")
        if current is not None and current != record.pk:
            raise ValidationError(
                _("Appeal %(number)s is already linked to another record.")
                % {"number": appeal.tracking_number}
            )
        if current is None:
            setattr(appeal, field, record)
            # An instance saved before carries its last reason and user, which
            # would take precedence over this call's.
            appeal._change_reason = "source recorded"
            appeal._history_user = actor
            changed.append(appeal)
    if changed:
        for field in ("questionnaire_response", "household_visit"):
            subset = [a for a in changed if getattr(a, f"{field}_id") is not None]
            if subset:
                bulk_update_with_history(
                    subset,
                    Appeal,
                    [field],
                    batch_size=BULK_BATCH,
                    default_user=actor,
                    default_change_reason="source recorded",
                )
    return len(changed)


# ------------------------------------------------------------ catalogue and assets


@transaction.atomic
def service_bundle_create(*, name: str, actor, mobile: bool = False) -> ServiceBundle:
    permissions.require_import(actor, "serviceitem")
    bundle = ServiceBundle(name=_name(name, "name", _("Name")), mobile=bool(mobile))
    bundle.validate_unique()
    save_with_history(bundle, actor=actor, reason="created")
    return bundle


@transaction.atomic
def service_items_store(*, rows: Sequence[ServiceItem], actor) -> list[ServiceItem]:
    """Checked catalogue rows (shishi.programmes.sheets), stored with history."""
    permissions.require_import(actor, "serviceitem")
    stored = records_bulk_create(ServiceItem, rows, actor=actor, reason="imported")
    _refresh(actor, TargetSourceKind.ONLINE_SERVICES)
    return stored


@transaction.atomic
def assets_store(*, rows: Sequence[Asset], actor) -> list[Asset]:
    """Checked register rows (shishi.programmes.sheets), stored with history."""
    permissions.require_import(actor, "asset")
    stored = records_bulk_create(Asset, rows, actor=actor, reason="imported")
    _refresh(actor, TargetSourceKind.ASSETS, TargetSourceKind.ASSET_QUANTITY)
    return stored


# ------------------------------------------------------------ computed target actuals


@transaction.atomic
def target_source_bind(
    *,
    target: Target,
    kind: str,
    actor,
    programme: Programme | None = None,
    asset_kind: str = "",
) -> TargetSource:
    """Bind a target to what the ledger holds; its actual is computed from then on."""
    permissions.require_manage(actor)
    if kind not in TargetSourceKind.values:
        raise ValidationError({"kind": _("Unknown source: %(kind)s.") % {"kind": kind}})
    if kind == TargetSourceKind.PROGRAMME_SETTLED and programme is None:
        raise ValidationError({"programme": _("Name the programme whose settled items count.")})
    if kind in (TargetSourceKind.ASSETS, TargetSourceKind.ASSET_QUANTITY):
        if asset_kind not in AssetKind.values:
            raise ValidationError({"asset_kind": _("Name the kind of asset that counts.")})
    else:
        asset_kind = ""
    if TargetSource.objects.filter(target=target).exists():
        raise ValidationError(
            {"target": _("“%(target)s” is already computed.") % {"target": target}}
        )
    source = TargetSource(target=target, kind=kind, programme=programme, asset_kind=asset_kind)
    save_with_history(source, actor=actor, reason="bound")
    targets_refresh(actor=actor, sources=[source])
    return source


@transaction.atomic
def targets_refresh(*, actor=None, sources: Iterable[TargetSource] | None = None) -> int:
    """Write each bound target's computed actual where it changed (with
    history, as by whom: `actor`, or the system). Returns how many changed."""
    from .figures import target_source_value

    if sources is None:
        sources = TargetSource.objects.select_related("target")
    changed = 0
    for source in sources:
        target = Target.objects.select_for_update().get(pk=source.target_id)
        value = Decimal(target_source_value(source)).quantize(Decimal("0.01"))
        if target.actual_quantity != value:
            target.actual_quantity = value
            save_with_history(target, actor=actor, reason=f"computed: {source.kind}")
            changed += 1
    return changed


def _refresh(actor, *kinds: str) -> None:
    """After a write that changes what some bound targets count: their actuals
    follow at once (the job catches what changed elsewhere, e.g. a settlement)."""
    sources = TargetSource.objects.filter(kind__in=kinds).select_related("target")
    if sources:
        targets_refresh(actor=actor, sources=sources)


def targets_refresh_job() -> dict:
    """The background task `programmes.targets`: bound targets' actuals, up to date."""
    return {"changed": targets_refresh()}
