"""Importing ledger items (台账) from the office sheet: 序号, 编号, 项目名称, 类别,
牵头单位, 责任领导, 完成时限, 目标任务, 进展情况 (title rows above the header
are normal). Every row is checked first; then, only if none is wrong, each item
is created, opened and (when the sheet names its leader and lead unit)
claimed through the ledger services, all in one transaction.

- Units and leaders are matched by name (a leader also by username); names
  that match nothing are reported by column as well as on their rows.
- 完成时限 is read in the forms offices write: 2021年12月底, 2021-12-31, an
  Excel date, 2021年第三季度, 2021年底.
- 目标任务 becomes measurable targets: "新建公厕10座；改造背街小巷3.5公里"
  gives two. A project (any kind whose policy requires targets) with nothing
  measurable is refused on its row.
- Re-importing the same sheet creates nothing twice: a row is already there
  when an item has its 编号, or (without 编号) its title in its category.
- 进展情况 is kept in the item's description: progress itself is reported
  week by week by the people who carry the item, never typed in by an import.

The ledger export writes the same columns, so an export imports back."""

import datetime as dt
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shishi.categories.models import Category
from shishi.core.models import Sequence as NumberSequence
from shishi.ledger import permissions
from shishi.ledger.models import (
    TEXT_MAX,
    TITLE_MAX,
    ItemKind,
    KindPolicy,
    LedgerItem,
    end_of_day,
)
from shishi.ledger.services import TargetSpec, item_claim, item_create, item_open
from shishi.org.models import Unit, User

from . import ledger_export as L
from .cells import cell_text, clean_line, clean_text, parse_datetime
from .results import ImportRefused, ImportReport, Progress, RowError
from .tables import open_table
from .writers import formula_like

IMPORT_PERMISSION = "sheets.import_items"
NUMBER_MAX = 30
# Progress is reported every this many rows.
PROGRESS_EVERY = 50
# Names looked up in one query at most this many at a time (SQLite's limit on
# query parameters is far above, PostgreSQL's too).
LOOKUP_BATCH = 500

# The columns read, by their name in the export, with the other names offices
# give them. 项目名称 is the header row's mark and has no other name.
COLUMN_NAMES: dict[str, tuple[str, ...]] = {
    L.NUMBER: (L.NUMBER, "项目编号", "事项编号"),
    L.TITLE: (L.TITLE,),
    L.KIND: (L.KIND, "事项类型"),
    L.CATEGORY: (L.CATEGORY, "项目类别", "分类"),
    L.LEAD_UNIT: (L.LEAD_UNIT, "责任单位", "牵头部门"),
    L.COOPERATING: (L.COOPERATING, "配合部门", "协办单位"),
    L.OWNER: (L.OWNER, "领办领导", "包联领导", "责任人"),
    L.DEADLINE: (L.DEADLINE, "完成时间", "时限"),
    L.TARGETS: (L.TARGETS, "目标", "建设内容", "主要内容"),
    L.PROGRESS: (L.PROGRESS, "推进情况", "工作进展"),
    L.DESCRIPTION: (L.DESCRIPTION, "项目简介", "备注"),
}


# ------------------------------------------------------------------ cells


def _text(value) -> str:
    """One line of text; the apostrophe an export puts before =, +, -, @ comes off."""
    text = clean_line(value)
    if text.startswith("'") and formula_like(text[1:]):
        text = text[1:]
    return text


def _long_text(value) -> str:
    text = clean_text(value)
    if text.startswith("'") and formula_like(text[1:]):
        text = text[1:]
    return text


# ---------------------------------------------------------------- 完成时限

_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
# Words after a date that do not change it: 前, 之前, 以前, 完成, 止.
_DEADLINE_TAIL = re.compile(r"(?:之前|以前|前|止|完成|为止)+$")
_YEAR_END = re.compile(r"(\d{4})年?(?:年?底|年?末|年内|全年)")
_HALF = re.compile(r"(\d{4})年?(上|下)半年(?:底|末)?")
_QUARTER = re.compile(r"(\d{4})年?第?([一二三四1-4])季度(?:底|末)?")
_MONTH = re.compile(r"(\d{4})(?:年|[-/.])(\d{1,2})月?(?:份)?(?:底|末|中旬|下旬)?")
_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")


def _month_end(year: int, month: int) -> dt.date:
    if month == 12:
        return dt.date(year, 12, 31)
    return dt.date(year, month + 1, 1) - dt.timedelta(days=1)


def parse_deadline(value) -> dt.date | None:
    """The day a 完成时限 cell names (None when empty); ValueError when none."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        return timezone.localtime(parse_datetime(value)).date()
    original = unicodedata.normalize("NFKC", _text(value))
    text = _DEADLINE_TAIL.sub("", original.replace(" ", ""))
    if not text:
        raise ValueError(_("Not a date we can read."))
    try:
        if match := _YEAR_END.fullmatch(text):
            return dt.date(int(match[1]), 12, 31)
        if match := _HALF.fullmatch(text):
            year = int(match[1])
            return dt.date(year, 6, 30) if match[2] == "上" else dt.date(year, 12, 31)
        if match := _QUARTER.fullmatch(text):
            quarter = _CN_DIGITS.get(match[2]) or int(match[2])
            return _month_end(int(match[1]), quarter * 3)
        if match := _MONTH.fullmatch(text):
            return _month_end(int(match[1]), int(match[2]))
        if match := _COMPACT.fullmatch(text):
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        moment = parse_datetime(_DEADLINE_TAIL.sub("", original).strip())
    except ValueError:
        raise ValueError(
            _("Not a date we can read: write it as 2021-12-31, 2021年12月31日 or 2021年12月底.")
        ) from None
    return timezone.localtime(moment).date() if moment else None


# ---------------------------------------------------------------- 目标任务

_NUMBER = r"\d+(?:,\d{3})*(?:\.\d+)?"
# Measure words and units, the longest first so 平方公里 wins over 公里.
_UNITS = sorted(
    """个 座 所 条 处 家 户 人次 人 名 位 辆 台 套 间 张 盏 棵 株 吨 元 项 场 次 栋 幢 层 段
    片 块 根 只 本 部 组 支 件 宗 例 份 册 批次 班 床 口 眼 孔 公里 千米 米 延米 平方米 平米
    平方公里 立方米 公顷 亩 千瓦 兆瓦 吨标煤 个百分点 % ％ ㎡ km 小时 天""".split(),
    key=len,
    reverse=True,
)
_UNIT = "(?:万|亿|千|百)?(?:" + "|".join(re.escape(u) for u in _UNITS) + ")"
# 新增学位 6360 个: the export's own form, any unit.
_EXPLICIT = re.compile(rf"(?P<name>.+?)\s+(?P<qty>{_NUMBER})\s*(?P<unit>[^\s\d][^\s]{{0,19}})")
# …10座 / 3.5公里 / 300余户 inside a sentence; the number is not part of a longer one.
_QUANTITY = re.compile(
    rf"(?<![\d.])(?P<qty>{_NUMBER})\s*(?:余|多)?\s*(?P<unit>{_UNIT})(?P<more>以上|左右|以内)?"
)
# A clause's last number and a short word after it, when no known unit matched.
_TRAILING = re.compile(rf"(?<![\d.])(?P<qty>{_NUMBER})\s*(?P<unit>[^\d\s.,，、]{{1,4}})$")
_CLAUSES = re.compile(r"[；;。\n\r]+|，|,(?!\d{3}(?!\d))")
# Words that join targets in a sentence: 新建公厕10座、改造小巷3公里 / …10座和…
_JOINER = re.compile(r"、|以及|和|及|并|与")
_NAME_LEAD = re.compile(r"^(?:\s|[、，,:：]|以及|和|及|并|与|共计|累计|共)+")
_NAME_TAIL = re.compile(r"(?:\s|[、，,:：])+$")


def _clean_name(text: str) -> str:
    return _NAME_TAIL.sub("", _NAME_LEAD.sub("", text))


@dataclass
class ParsedTargets:
    targets: list[TargetSpec] = field(default_factory=list)
    # Clauses with words but nothing measurable (kept in the description).
    leftover: list[str] = field(default_factory=list)


def _quantity(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def parse_targets(text: str) -> ParsedTargets:
    """The measurable targets in a 目标任务 cell: each a name, a number and a unit."""
    result = ParsedTargets()
    text = unicodedata.normalize("NFKC", text or "")
    for clause in _CLAUSES.split(text):
        clause = clause.strip()
        if not clause:
            continue
        if match := _EXPLICIT.fullmatch(clause):
            name = _clean_name(match["name"])
            if name and not re.fullmatch(r"[\d.]+", name):
                result.targets.append(TargetSpec(name, match["unit"], _quantity(match["qty"])))
                continue
        found = list(_QUANTITY.finditer(clause))
        if not found and (match := _TRAILING.search(clause)):
            found = [match]
        # The words between two quantities: a noun of the first (新建10座公厕、)
        # up to a joining word, then the name of the second.
        names = [clause[: found[0].start()]] if found else []
        tails = []
        for before, after in zip(found, found[1:], strict=False):
            between = clause[before.end() : after.start()]
            joins = list(_JOINER.finditer(between))
            cut = joins[-1] if joins else None
            tails.append(between[: cut.start()] if cut else "")
            names.append(between[cut.end() :] if cut else between)
        if found:
            tails.append(clause[found[-1].end() :])
        parsed = []
        for match, head, tail in zip(found, names, tails, strict=True):
            name = _clean_name(head + tail)
            if name:
                parsed.append(TargetSpec(name, match["unit"], _quantity(match["qty"])))
        if parsed:
            result.targets.extend(parsed)
        elif re.search(r"\w", clause):
            result.leftover.append(clause)
    return result


def _target_errors(targets: Sequence[TargetSpec]) -> list[str]:
    """What the ledger would refuse in these targets, said before anything is stored."""
    problems, names = [], set()
    for spec in targets:
        label = L.target_text(spec.name, Decimal(spec.target_quantity), spec.unit_of_measure)
        if len(spec.name) > 100:
            problems.append(
                _("The target name “%(name)s” is longer than 100 characters.") % {"name": spec.name}
            )
        if len(spec.unit_of_measure) > 20:
            problems.append(
                _("The unit of measure of “%(target)s” is longer than 20 characters.")
                % {"target": label}
            )
        if spec.name in names:
            problems.append(_("The target “%(name)s” is listed twice.") % {"name": spec.name})
        names.add(spec.name)
        if Decimal(spec.target_quantity) >= Decimal("1e14"):
            problems.append(_("The quantity of “%(target)s” is too large.") % {"target": label})
    return problems


# ------------------------------------------------------------- the lookups


def _split_path(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"\s*(?:›|>|/|／)\s*", text) if part.strip()]


class _Lookups:
    """Everything the rows name, read in a few queries before any row is checked."""

    def __init__(self, rows: Sequence["_Row"]):
        self.units_by_name: dict[str, list[Unit]] = defaultdict(list)
        for unit in Unit.objects.active().select_related("parent"):
            self.units_by_name[unit.name].append(unit)
        self.categories = list(Category.objects.active())
        by_pk = {c.pk: c for c in self.categories}
        self.categories_by_code = {c.code: c for c in self.categories}
        self.categories_by_name: dict[str, list[Category]] = defaultdict(list)
        self.categories_by_path: dict[tuple[str, ...], Category] = {}
        for c in self.categories:
            self.categories_by_name[c.name].append(c)
            names, node = [], c
            while node is not None:
                names.append(node.name)
                node = by_pk.get(node.parent_id)
            self.categories_by_path[tuple(reversed(names))] = c
        people = {self._person_key(r.get(L.OWNER)) for r in rows} - {("", "")}
        wanted = {name for key in people for name in key if name}
        self.people: list[User] = []
        for batch in _batches(sorted(wanted)):
            self.people.extend(
                User.objects.filter(is_active=True).filter(
                    Q(full_name__in=batch) | Q(username__in=batch)
                )
            )
        numbers = sorted({r.get(L.NUMBER) for r in rows} - {""})
        self.numbers: dict[str, str] = {}
        for batch in _batches(numbers):
            self.numbers.update(
                LedgerItem.objects.filter(number__in=batch).values_list("number", "title")
            )
        titles = sorted({r.get(L.TITLE) for r in rows} - {""})
        self.titles: set[tuple[str, int]] = set()
        for batch in _batches(titles):
            self.titles.update(
                LedgerItem.objects.filter(title__in=batch).values_list("title", "category_id")
            )
        self.policies = {p.kind: p for p in KindPolicy.objects.all()}
        self.kinds = _kind_names()

    @staticmethod
    def _person_key(text: str) -> tuple[str, str]:
        """(full name, username) from 张三, zhangsan or 张三（zhangsan）."""
        text = (text or "").strip()
        if match := re.fullmatch(r"(.+?)\s*[（(]\s*([^（）()]+?)\s*[)）]", text):
            return match[1], match[2]
        return text, ""

    def unit(self, text: str) -> tuple[Unit | None, str]:
        """(the unit, why not) for a unit's name or "上级 › 名称"."""
        parts = _split_path(text)
        if not parts:
            return None, _("no unit is named")
        candidates = self.units_by_name.get(parts[-1], [])
        if len(parts) > 1:
            candidates = [u for u in candidates if u.parent and u.parent.name == parts[-2]]
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _("no active unit has this name")
        return None, _(
            "several units have this name: write it with its parent unit, as “%(example)s”"
        ) % {"example": f"{candidates[0].parent or ''}{L.PATH_SEPARATOR}{parts[-1]}"}

    def category(self, text: str) -> tuple[Category | None, str]:
        if text in self.categories_by_code:
            return self.categories_by_code[text], ""
        parts = _split_path(text)
        if len(parts) > 1:
            found = self.categories_by_path.get(tuple(parts))
            return (found, "") if found else (None, _("no category in use has this path"))
        candidates = self.categories_by_name.get(text, [])
        if len(candidates) == 1:
            return candidates[0], ""
        if not candidates:
            return None, _("no category in use has this name or code")
        return None, _("several categories have this name: write its path, as “%(example)s”") % {
            "example": candidates[0].path
        }

    def person(self, text: str) -> tuple[User | None, str]:
        full_name, username = self._person_key(text)
        if username:
            matches = [
                u for u in self.people if u.username == username and u.full_name == full_name
            ]
        else:
            matches = [u for u in self.people if u.username == full_name]
            matches = matches or [u for u in self.people if u.full_name == full_name]
        if len(matches) == 1:
            return matches[0], ""
        if not matches:
            return None, _("no active user has this name or username")
        return None, _(
            "several people have this name: write it with the username, as “%(example)s”"
        ) % {"example": f"{full_name}（{matches[0].username}）"}


def _batches(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), LOOKUP_BATCH):
        yield values[start : start + LOOKUP_BATCH]


def _kind_names() -> dict[str, str]:
    """Every way a sheet may name a kind: its Chinese and English labels and its code."""
    names = {value: value for value in ItemKind.values}
    names.update({str(label): value for value, label in ItemKind.choices})
    names.update({label: value for value, label in L.chinese_labels(ItemKind).items()})
    return names


# ------------------------------------------------------------------- rows


@dataclass
class _Row:
    number: int  # the sheet's row number
    cells: dict[str, object]  # by the export's column name
    headers: dict[str, str]  # the export's column name → the header as in the file

    def get(self, column: str) -> str:
        return _text(self.cells.get(column))

    def raw(self, column: str):
        return self.cells.get(column)


@dataclass
class _Plan:
    """A checked row: what the services will be given."""

    row: int
    kind: str
    title: str
    category: Category
    number: str | None
    description: str
    deadline: dt.datetime | None
    targets: list[TargetSpec]
    lead_unit: Unit | None
    cooperating: list[Unit]
    owner: User | None


class _Checker:
    def __init__(self, report: ImportReport, lookups: _Lookups, actor):
        self.report, self.lookups, self.actor = report, lookups, actor
        self.now = timezone.now()
        self.seen_numbers: dict[str, int] = {}
        self.seen_titles: dict[tuple[str, int], int] = {}
        self.may_open: dict[str, bool] = {}

    def error(self, row: _Row, column: str, value, message: str) -> None:
        header = row.headers.get(column, column) if column else ""
        self.report.add_error(RowError(row.number, header, cell_text(value)[:200], message))

    def unmatched(self, row: _Row, column: str, name: str) -> None:
        header = row.headers.get(column, column)
        self.report.unmatched.setdefault(header, set()).add(name)

    def check(self, row: _Row) -> _Plan | None:
        """The row's plan, None when it is wrong (its errors reported) or already there."""
        errors_before = self.report.error_count
        title = row.get(L.TITLE)
        if not title:
            self.error(row, L.TITLE, "", _("The title is empty."))
        elif len(title) > TITLE_MAX:
            self.error(
                row,
                L.TITLE,
                title,
                _("The title is too long: %(length)d characters, at most %(max)d.")
                % {"length": len(title), "max": TITLE_MAX},
            )
        category = self._category(row)
        number = row.get(L.NUMBER) or None
        # A row already in the ledger is skipped before its other cells are
        # judged: re-importing last month's sheet must not fail on deadlines
        # that have passed since.
        if self._already_there(row, number, title, category):
            return None
        kind = self._kind(row)
        lead_unit = self._unit(row, L.LEAD_UNIT, row.get(L.LEAD_UNIT))
        cooperating = [
            unit
            for name in re.split(r"[、，,；;\n]+", row.get(L.COOPERATING))
            if name.strip() and (unit := self._unit(row, L.COOPERATING, name.strip()))
        ]
        owner = self._owner(row, lead_unit)
        deadline = self._deadline(row)
        targets, description = self._targets_and_description(row, kind)
        if self.report.error_count > errors_before:
            return None
        return _Plan(
            row=row.number,
            kind=kind,
            title=title,
            category=category,
            number=number,
            description=description,
            deadline=deadline,
            targets=targets,
            lead_unit=lead_unit,
            cooperating=cooperating,
            owner=owner,
        )

    def _kind(self, row: _Row) -> str:
        text = row.get(L.KIND)
        kind = self.lookups.kinds.get(text) if text else ItemKind.PROJECT
        if kind is None or kind not in self.lookups.policies:
            choices = "、".join(L.chinese_labels(ItemKind).values())
            self.error(
                row, L.KIND, text, _("Unknown kind: use one of %(kinds)s.") % {"kinds": choices}
            )
            return ItemKind.PROJECT
        if kind not in self.may_open:
            self.may_open[kind] = permissions.can_open(self.actor, kind)
        if not self.may_open[kind]:
            self.error(row, L.KIND, text, _("You may not open ledger items of this kind."))
        return kind

    def _category(self, row: _Row) -> Category | None:
        text = row.get(L.CATEGORY)
        if not text:
            self.error(row, L.CATEGORY, "", _("The category is empty."))
            return None
        category, why = self.lookups.category(text)
        if category is None:
            self.unmatched(row, L.CATEGORY, text)
            self.error(row, L.CATEGORY, text, _("Unknown category: %(why)s.") % {"why": why})
        return category

    def _unit(self, row: _Row, column: str, text: str) -> Unit | None:
        if not text:
            return None
        unit, why = self.lookups.unit(text)
        if unit is None:
            self.unmatched(row, column, text)
            self.error(row, column, text, _("Unknown unit: %(why)s.") % {"why": why})
        return unit

    def _owner(self, row: _Row, lead_unit: Unit | None) -> User | None:
        text = row.get(L.OWNER)
        if not text:
            return None
        owner, why = self.lookups.person(text)
        if owner is None:
            self.unmatched(row, L.OWNER, text)
            self.error(row, L.OWNER, text, _("Unknown leader: %(why)s.") % {"why": why})
            return None
        if not permissions.can_claim(owner):
            self.error(
                row,
                L.OWNER,
                text,
                _("%(person)s is not a responsible leader and cannot claim items.")
                % {"person": owner},
            )
        if not permissions.can_claim(self.actor):
            # A claim is recorded as the importer's act: one who may not claim
            # cannot put a leader's name to one.
            self.error(
                row,
                L.OWNER,
                text,
                _(
                    "You may not claim items, so you cannot import one with its leader: "
                    "leave the leader empty (the leader then claims it), or ask someone "
                    "who may claim to import the sheet."
                ),
            )
        if lead_unit is None and not row.get(L.LEAD_UNIT):
            self.error(
                row,
                L.LEAD_UNIT,
                "",
                _("A leader claims an item together with its lead unit: name the lead unit too."),
            )
        return owner

    def _deadline(self, row: _Row) -> dt.datetime | None:
        value = row.raw(L.DEADLINE)
        try:
            day = parse_deadline(value)
        except ValueError as err:
            self.error(row, L.DEADLINE, value, str(err))
            return None
        if day is None:
            return None
        moment = end_of_day(day)
        if moment <= self.now:
            self.error(
                row,
                L.DEADLINE,
                value,
                _("The deadline %(day)s has already passed.") % {"day": day.isoformat()},
            )
        return moment

    def _targets_and_description(self, row: _Row, kind: str) -> tuple[list[TargetSpec], str]:
        text = _long_text(row.raw(L.TARGETS))
        parsed = parse_targets(text)
        for problem in _target_errors(parsed.targets):
            self.error(row, L.TARGETS, text, problem)
        policy = self.lookups.policies.get(kind)
        if policy is not None and policy.requires_targets and not parsed.targets:
            if text:
                message = _(
                    "Nothing measurable found: write each target as a name, a number and a "
                    "unit, such as “新建公厕10座；改造背街小巷3.5公里”."
                )
            else:
                message = _(
                    "A %(kind)s needs at least one measurable target, such as “新建公厕10座”."
                ) % {"kind": L.chinese_labels(ItemKind)[kind]}
            self.error(row, L.TARGETS, text, message)
        parts = [_long_text(row.raw(L.DESCRIPTION))]
        if parsed.leftover:
            parts.append(f"{L.TARGETS}：{text}")
        progress = _long_text(row.raw(L.PROGRESS))
        if progress:
            parts.append(f"{L.PROGRESS}：{progress}")
        description = "\n\n".join(p for p in parts if p)
        if len(description) > TEXT_MAX:
            self.error(
                row,
                L.DESCRIPTION if row.get(L.DESCRIPTION) else L.PROGRESS,
                "",
                _("The description and progress together are too long: at most %(max)d characters.")
                % {"max": TEXT_MAX},
            )
        return parsed.targets, description

    def _already_there(self, row: _Row, number, title: str, category: Category | None) -> bool:
        """True when the row is not to be created: an item stored before has its
        number (or, without one, its title in its category), or the row repeats
        one earlier in the file (an error), or its number is wrong (an error)."""
        if number:
            if len(number) > NUMBER_MAX:
                self.error(
                    row,
                    L.NUMBER,
                    number,
                    _("The number is too long: at most %(max)d characters.") % {"max": NUMBER_MAX},
                )
                return True
            if number in self.seen_numbers:
                self.error(
                    row,
                    L.NUMBER,
                    number,
                    _("Row %(row)d has the same number.") % {"row": self.seen_numbers[number]},
                )
                return True
            self.seen_numbers[number] = row.number
            stored = self.lookups.numbers.get(number)
            if stored is None:
                return False
            if stored != title:
                self.error(
                    row,
                    L.NUMBER,
                    number,
                    _("This number belongs to another item, “%(title)s”.") % {"title": stored},
                )
            return True
        if not title or category is None:
            return False  # the row's errors are reported; it is checked on
        key = (title, category.pk)
        if key in self.seen_titles:
            self.error(
                row,
                L.TITLE,
                title,
                _("Row %(row)d has the same title in the same category.")
                % {"row": self.seen_titles[key]},
            )
            return True
        self.seen_titles[key] = row.number
        return key in self.lookups.titles


# ----------------------------------------------------------------- import


class _Refused(Exception):
    """A service refused a checked row; the transaction rolls back."""


def _columns(table) -> dict[str, str]:
    """The export's column name → the header as written in the file."""
    found = {}
    for column, names in COLUMN_NAMES.items():
        for name in names:
            if name in table.headers:
                found[column] = name
                break
    if L.CATEGORY not in found:
        raise ImportRefused(
            table.name,
            _("The column “%(column)s” is missing: every item needs a category.")
            % {"column": L.CATEGORY},
            row=table.header_row,
        )
    return found


def _advance_numbering(plans: Sequence[_Plan]) -> None:
    """Numbers kept from the sheet in the ledger's own pattern (SS-2021-0007)
    move that year's counter past them, so a later new item is not given one."""
    highest: dict[str, int] = {}
    prefixes = {p.kind: re.escape(p.number_prefix) for p in KindPolicy.objects.all()}
    for plan in plans:
        if not plan.number or plan.kind not in prefixes:
            continue
        match = re.fullmatch(rf"{prefixes[plan.kind]}-(\d{{4}})-(\d+)", plan.number)
        if match:
            name = f"item-{plan.kind}-{match[1]}"
            highest[name] = max(highest.get(name, 0), int(match[2]))
    for name, last in highest.items():
        sequence, _created = NumberSequence.objects.select_for_update().get_or_create(
            name=name, defaults={"last": last}
        )
        if sequence.last < last:
            NumberSequence.objects.filter(pk=sequence.pk).update(last=last)


def _store(plans: Sequence[_Plan], *, actor, report: ImportReport, progress) -> None:
    """Create, open and claim every planned item, or nothing."""
    try:
        with transaction.atomic():
            _advance_numbering(plans)
            for done, plan in enumerate(plans, start=1):
                try:
                    item = item_create(
                        kind=plan.kind,
                        title=plan.title,
                        category=plan.category,
                        actor=actor,
                        description=plan.description,
                        deadline=plan.deadline,
                        targets=plan.targets,
                        lead_unit=plan.lead_unit,
                        cooperating_units=plan.cooperating,
                        number=plan.number,
                    )
                    item = item_open(item=item, actor=actor)
                    if plan.owner is not None:
                        # The importer claims for the leader (checked: may claim).
                        item_claim(
                            item=item,
                            actor=actor,
                            lead_unit=plan.lead_unit,
                            owner=plan.owner,
                        )
                except (ValidationError, PermissionDenied) as err:
                    messages = err.messages if isinstance(err, ValidationError) else [str(err)]
                    report.add_error(RowError(plan.row, "", plan.title, " ".join(messages)))
                    raise _Refused from None
                report.created += 1
                if progress and done % PROGRESS_EVERY == 0:
                    progress(done, 1.0)
    except _Refused:
        report.created = 0
        return
    report.committed = True


def items_import(
    source,
    *,
    name: str,
    actor,
    commit: bool = True,
    progress: Progress | None = None,
) -> ImportReport:
    """Check every row of the sheet and, when none is wrong and `commit`, store
    the new items. Raises PermissionDenied when the actor may not import
    items, ImportRefused when the file as a whole cannot be read."""
    if not (actor is not None and actor.is_active and actor.has_perm(IMPORT_PERMISSION)):
        raise PermissionDenied(_("You may not import ledger items."))
    report = ImportReport(file_name=name)
    rows: list[_Row] = []
    with open_table(source, name=name, expect=(L.TITLE,)) as table:
        columns = _columns(table)
        indexes = {column: table.headers.index(header) for column, header in columns.items()}
        for number, values in table.rows():
            cells = {column: values[index] for column, index in indexes.items()}
            rows.append(_Row(number, cells, columns))
            report.rows += 1
            if progress and report.rows % PROGRESS_EVERY == 0:
                progress(report.rows, table.fraction_read())
    checker = _Checker(report, _Lookups(rows), actor)
    plans = []
    for row in rows:
        errors_before = report.error_count
        plan = checker.check(row)
        if plan is not None:
            plans.append(plan)
        elif report.error_count == errors_before:
            report.skipped += 1  # already in the ledger
    report.valid = len(plans) + report.skipped
    if progress:
        progress(report.rows, 1.0)
    if commit and report.ok and plans:
        _store(plans, actor=actor, report=report, progress=progress)
    elif commit and report.ok:
        report.committed = True
    return report
