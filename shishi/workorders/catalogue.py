"""派单目录: which unit an appeal goes to, by its category and its street or
community. The dispatch page suggests the catalogue's unit first, then the
routing model's (shishi.suggestions); the clerk confirms either.

The catalogue is edited in the admin and imported from Excel or CSV with the
columns 类别, 街道/社区 (empty: anywhere) and 主办单位. Every row is checked
before anything is stored; a file is imported whole or not at all, and
importing it again changes nothing (a rule for the same category and place
takes the file's unit)."""

import logging
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.combing import appeal_text
from shishi.core.lifecycle import save_with_history
from shishi.intake.models import Appeal
from shishi.org.models import Unit, UnitKind
from shishi.sheets.cells import cell_text
from shishi.sheets.results import ImportRefused, ImportReport, RowError
from shishi.sheets.tables import open_table

from .models import CatalogueRule

log = logging.getLogger("shishi.workorders")

CATALOGUE_PERMISSION = "workorders.add_cataloguerule"
CATEGORY, PLACE, UNIT = "类别", "街道/社区", "主办单位"
COLUMN_NAMES = {
    CATEGORY: (CATEGORY, "诉求类别", "分类"),
    PLACE: (PLACE, "街道", "社区", "区域", "属地"),
    UNIT: (UNIT, "承办单位", "责任单位", "办理单位"),
}
PLACE_KINDS = (UnitKind.STREET, UnitKind.COMMUNITY, UnitKind.VILLAGE)


@dataclass(frozen=True)
class DispatchSuggestion:
    unit: Unit
    source: str  # "catalogue" or "model"
    confidence: float | None = None  # the model's; a catalogue rule is certain
    rule: CatalogueRule | None = None

    @property
    def percent(self) -> int | None:
        return None if self.confidence is None else round(self.confidence * 100)


def _lineage(category: Category | None) -> list[int]:
    out, node, seen = [], category, set()
    while node is not None and node.pk not in seen:
        seen.add(node.pk)
        out.append(node.pk)
        node = node.parent
    return out


def catalogue_rule_for(appeal: Appeal) -> CatalogueRule | None:
    """The most specific active rule: the closest category first (the
    category, its parent, …), and for it the community's rule, then its
    street's, then the one for anywhere. One query."""
    categories = _lineage(appeal.category)
    if not categories:
        return None
    places = []
    if appeal.community_id is not None:
        places = [appeal.community_id, appeal.community.parent_id]
    rules = {
        (rule.category_id, rule.place_id): rule
        for rule in CatalogueRule.objects.filter(
            is_active=True, unit__is_active=True, category_id__in=categories
        ).select_related("unit")
        if rule.place_id is None or rule.place_id in places
    }
    for category_id in categories:
        for place_id in [*places, None]:
            rule = rules.get((category_id, place_id))
            if rule is not None:
                return rule
    return None


def model_units(appeal: Appeal, top: int = 3) -> list[DispatchSuggestion]:
    """The routing model's lead units for the appeal's text (none without a
    trained model; a failing model is logged, never a broken page)."""
    from shishi.suggestions import store

    try:
        models = store.models(fresh=False)
        if models.router is None:
            return []
        ranked = models.router.suggest(texts=[appeal_text(appeal.title, appeal.body)], top=top)[0]
        found = Unit.objects.lead_units().in_bulk({int(label) for label, _p in ranked})
        return [
            DispatchSuggestion(found[int(label)], "model", p)
            for label, p in ranked
            if int(label) in found
        ]
    except Exception:
        log.exception("unit suggestion for appeal %s failed", appeal.pk)
        return []


def dispatch_suggestions(appeal: Appeal) -> list[DispatchSuggestion]:
    """The catalogue's unit first, then the model's others."""
    out = []
    rule = catalogue_rule_for(appeal)
    if rule is not None:
        out.append(DispatchSuggestion(rule.unit, "catalogue", None, rule))
    for suggestion in model_units(appeal):
        if all(s.unit.pk != suggestion.unit.pk for s in out):
            out.append(suggestion)
    return out


# ------------------------------------------------------------------- import


def _columns(table) -> dict[str, str]:
    """Our column → the file's header for it; a missing required one refuses."""
    found = {}
    for ours, names in COLUMN_NAMES.items():
        for header in table.headers:
            if header.strip() in names:
                found[ours] = header
                break
    for required in (CATEGORY, UNIT):
        if required not in found:
            raise ImportRefused(
                table.name,
                _("The column “%(column)s” is missing.") % {"column": required},
                row=table.header_row,
            )
    return found


def _by_name(queryset) -> dict[str, list]:
    out: dict[str, list] = {}
    for obj in queryset:
        out.setdefault(obj.name.strip(), []).append(obj)
    return out


def catalogue_import(source, *, name: str, actor, commit: bool = True) -> ImportReport:
    """Read the catalogue from `source` (a path or binary file). Nothing is
    stored unless every row is right (and `commit`)."""
    if not actor.has_perm(CATALOGUE_PERMISSION):
        raise PermissionDenied(_("You may not edit the dispatch catalogue."))
    report = ImportReport(file_name=name)
    categories = _by_name(Category.objects.all())
    by_code = {c.code: c for c in Category.objects.exclude(code="")}
    units = _by_name(Unit.objects.all())
    wanted: dict[tuple[int, int | None], tuple[int, Unit]] = {}
    with open_table(source, name=name, expect=()) as table:
        columns = _columns(table)
        index = {header: i for i, header in enumerate(table.headers)}

        def cell(values, ours):
            header = columns.get(ours)
            if header is None or index[header] >= len(values):
                return ""
            return cell_text(values[index[header]]).strip()

        for row, values in table.rows():
            report.rows += 1
            errors = []
            category_name, place_name, unit_name = (
                cell(values, CATEGORY),
                cell(values, PLACE),
                cell(values, UNIT),
            )
            category = by_code.get(category_name)
            if category is None:
                matches = categories.get(category_name, [])
                if len(matches) == 1:
                    category = matches[0]
                elif not category_name:
                    errors.append((CATEGORY, "", _("The category is empty.")))
                elif matches:
                    errors.append(
                        (
                            CATEGORY,
                            category_name,
                            _("Several categories have this name; use the category's code."),
                        )
                    )
                else:
                    errors.append((CATEGORY, category_name, _("No category has this name.")))
            if category is not None and not category.is_active:
                errors.append((CATEGORY, category_name, _("This category is no longer in use.")))
            place = None
            if place_name:
                matches = [u for u in units.get(place_name, []) if u.kind in PLACE_KINDS]
                if len(matches) == 1:
                    place = matches[0]
                else:
                    errors.append(
                        (
                            PLACE,
                            place_name,
                            _("No single street or community has this name.")
                            if not matches
                            else _("Several streets or communities have this name."),
                        )
                    )
            unit = None
            matches = units.get(unit_name, [])
            if not unit_name:
                errors.append((UNIT, "", _("The lead unit is empty.")))
            elif len(matches) != 1:
                errors.append(
                    (
                        UNIT,
                        unit_name,
                        _("No unit has this name.")
                        if not matches
                        else _("Several units have this name."),
                    )
                )
            else:
                unit = matches[0]
                if not unit.is_active:
                    errors.append((UNIT, unit_name, _("This unit is no longer active.")))
            if not errors and category is not None and unit is not None:
                key = (category.pk, place.pk if place else None)
                if key in wanted and wanted[key][1].pk != unit.pk:
                    errors.append(
                        (
                            UNIT,
                            unit_name,
                            _("Row %(row)d gives this category and place another unit.")
                            % {"row": wanted[key][0]},
                        )
                    )
                else:
                    wanted[key] = (row, unit)
            for column, value, message in errors:
                report.add_error(RowError(row, columns.get(column, column), value, message))
            if not errors:
                report.valid += 1
    if not report.ok or not commit:
        return report
    with transaction.atomic():
        existing = {
            # No ordering: the model's joins its category and (nullable) place,
            # and PostgreSQL locks no row of an outer join's nullable side.
            (r.category_id, r.place_id): r
            for r in CatalogueRule.objects.order_by().select_for_update()
        }
        for (category_id, place_id), (_row, unit) in wanted.items():
            rule = existing.get((category_id, place_id))
            if rule is not None and rule.unit_id == unit.pk and rule.is_active:
                report.skipped += 1
                continue
            rule = rule or CatalogueRule(category_id=category_id, place_id=place_id)
            rule.unit, rule.is_active = unit, True
            save_with_history(rule, actor=actor, reason=f"imported from {name}")
            report.created += 1
        report.committed = True
    return report
