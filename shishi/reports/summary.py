"""The campaign summary (综述): the campaign told in words an administrator
chose (SummaryTemplate), with every figure computed from the ledger, then the
collection by channel, the projects by category, and charts.

The summary is an official document, so its contents are Chinese whatever the
reader's language; only the page around it follows the language switch."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Count, Q, Sum
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import SafeString

from shishi.categories.models import Category
from shishi.core.stats import Figure, campaign_figures, campaign_projects
from shishi.dashboard.charts import bar_chart
from shishi.intake.models import Appeal, Channel, CollectionEvent
from shishi.ledger.models import ItemStatus
from shishi.org.models import Unit
from shishi.programmes.results import ResultsSection, results_section

from .models import SummaryTemplate, paragraphs, summary_text_fill
from .pdf import CHART_FONT_FAMILY

DOCUMENT_LANGUAGE = "zh-hans"

# The built-in wording, after the source document's summary (“躬身行”办好实事).
# Used until an administrator puts a wording of their own in use.
DEFAULT_TITLE = "{district}“我为群众办实事”实践活动综述"
DEFAULT_BODY = """\
{district}把“我为群众办实事”实践活动贯穿全过程，围绕实事“怎么办”想新法、出硬招、求实效，\
集中精力办成一批群众“看得见、摸得着、得实惠”的好事实事。

一是精准对接需求。群众需要什么，我们就做什么。通过召开座谈会、问卷调查、实地走访等方式，\
广开言路问需于民。共召开征集意见座谈会{forums}场，发放调查问卷{questionnaires_issued}份，\
入户走访{household_visits}人次，征集诉求{appeals}条，分层分类梳理，\
形成{district}“我为群众办实事”项目清单，涵盖{project_categories}类{projects}件民生实事。

二是刚性推动落实。坚持按周调度“办实事”工作进展，实行实事清单台账化管理，\
通过建账、领账、清账闭环管理机制，推动实践活动走深走实。\
{participating_units}个参学单位协同联动，{leaders}名领办领导领账推进。

三是实干践行初心。截至目前，已清账民生实事{projects_settled}件，\
正在推进{projects_ongoing}件，其中{projects_overdue}件已超过完成时限。"""
# The campaign's organisation and activities (shishi.organisation.stats): a
# paragraph for each part, every figure a placeholder.
DEFAULT_BODY += """

四是强化督导指导。组建{inspection_groups}个巡回指导组，开展{inspection_rounds}轮巡回指导，\
走访{inspection_visits}次，覆盖参学单位{inspection_units_covered}个；{leader_contact_units}名区级领导\
分包联系参学单位。对发现的问题和专题组织生活会查摆的问题实行立行立改、即知即改，\
共建立整改事项{rectification_items}件。

五是深化学习宣讲。召开推进会、座谈会{meetings}场，开展中心组学习和专题学习{study_sessions}次；\
组建宣讲团{lecture_groups}个、宣讲团成员{lecture_speakers}名，开展宣讲{lectures}场，\
受众{lecture_attendance}人次。

六是密切联系群众。{liaison_members}名联户党员联系群众{liaison_households}户，\
开展“党史学习之星”评选，推荐{selection_nominations}人，评选出{selection_selected}人。"""

# What a collection event of each channel is counted in: (events, its own count).
EVENT_UNITS = {
    Channel.FORUM: ("场", "参与{}人次"),
    Channel.QUESTIONNAIRE: ("批", "发放{}份"),
    Channel.VISIT: ("轮", "走访{}人次"),
    Channel.ENTERPRISE_VISIT: ("次", "走访企业{}家"),
}


def percent(part: int, whole: int) -> str | None:
    """`part` of `whole` to a tenth of a percent, rounded half up but never to
    100.0% while some are missing nor to 0.0% when some are there; None when
    `whole` is 0: no rate at all, neither 0% nor 100%."""
    if not whole:
        return None
    tenths = (2000 * part + whole) // (2 * whole)
    if part < whole:
        tenths = min(tenths, 999)
    if part > 0:
        tenths = max(tenths, 1)
    return f"{tenths // 10}.{tenths % 10}%"


@dataclass(frozen=True)
class ChannelRow:
    channel: str
    label: str
    events: int
    events_text: str  # 149场, or "" for a channel without events (the hotline)
    reach_text: str  # 发放17643份
    appeals: int


@dataclass(frozen=True)
class CategoryRow:
    name: str
    projects: int
    settled: int
    overdue: int
    appeals: int  # appeals of this category or below it

    @property
    def ongoing(self) -> int:
        return self.projects - self.settled

    @property
    def settled_percent(self) -> str | None:
        return percent(self.settled, self.projects)


@dataclass(frozen=True)
class CampaignSummary:
    as_of: dt.datetime
    district: str
    title: str
    paragraphs: list[str]
    figures: dict[str, Figure]
    channels: list[ChannelRow]
    categories: list[CategoryRow]
    other_appeals: int  # appeals of no project's category, or of none
    appeals_chart: SafeString
    projects_chart: SafeString
    wording_problem: str = ""  # why the wording in use could not be used
    results: ResultsSection | None = None  # 成效 (shishi.programmes.results)

    def value(self, key: str) -> int:
        return self.figures[key].value

    @property
    def values(self) -> dict[str, int]:
        return {key: f.value for key, f in self.figures.items()}

    @property
    def events(self) -> int:
        return sum(row.events for row in self.channels)

    @property
    def appeals(self) -> int:
        return self.value("appeals")

    @property
    def projects(self) -> int:
        return self.value("projects")

    @property
    def settled_percent(self) -> str | None:
        return percent(self.value("projects_settled"), self.projects)

    @property
    def is_empty(self) -> bool:
        """Nothing to tell yet: no collection event, no appeal, no project."""
        return not (self.events or self.appeals or self.projects)

    @property
    def as_of_text(self) -> str:
        local = timezone.localtime(self.as_of)
        return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


# ------------------------------------------------------------------ reads


def template_in_use() -> SummaryTemplate | None:
    return SummaryTemplate.objects.filter(is_active=True).first()


def _channel_rows() -> list[ChannelRow]:
    events = {
        row["channel"]: row
        for row in CollectionEvent.objects.values("channel")
        .annotate(n=Count("pk"), reach=Sum("count"))
        .order_by()
    }
    appeals = dict(Appeal.objects.values_list("channel").annotate(n=Count("pk")).order_by())
    rows = []
    for channel in Channel:
        held = events.get(channel.value, {"n": 0, "reach": 0})
        if not (held["n"] or appeals.get(channel.value)):
            continue
        event_unit, reach = EVENT_UNITS.get(channel, ("次", ""))
        rows.append(
            ChannelRow(
                channel=channel.value,
                label=str(channel.label),
                events=held["n"],
                events_text=f"{held['n']}{event_unit}" if held["n"] else "",
                reach_text=reach.format(held["reach"] or 0) if held["n"] and reach else "",
                appeals=appeals.get(channel.value, 0),
            )
        )
    return rows


def _category_rows(now: dt.datetime) -> tuple[list[CategoryRow], int]:
    """The projects' categories with their projects by progress and their
    appeals, in the categories' order; and the appeals of no such category."""
    projects = campaign_projects()
    counts = {
        row["category"]: row
        for row in projects.values("category")
        .annotate(n=Count("pk"), settled=Count("pk", filter=Q(status=ItemStatus.SETTLED)))
        .order_by()
    }
    overdue = dict(projects.overdue(now).values_list("category").annotate(n=Count("pk")).order_by())
    # Appeals count for the nearest category, themselves or above, that has
    # projects. The tree has hundreds of nodes, not millions: read it whole.
    parent_of = dict(Category.objects.values_list("pk", "parent_id"))
    by_category = dict(Appeal.objects.values_list("category").annotate(n=Count("pk")).order_by())
    appeals: dict[int | None, int] = {}
    for category_id, n in by_category.items():
        node, seen = category_id, set()
        while node is not None and node not in counts and node not in seen:
            seen.add(node)
            node = parent_of.get(node)
        key = node if node in counts else None
        appeals[key] = appeals.get(key, 0) + n
    rows = [
        CategoryRow(
            name=category.name,
            projects=counts[category.pk]["n"],
            settled=counts[category.pk]["settled"],
            overdue=overdue.get(category.pk, 0),
            appeals=appeals.get(category.pk, 0),
        )
        for category in Category.objects.filter(pk__in=counts)
    ]
    return rows, appeals.get(None, 0)


def _values(figures: dict[str, Figure], district: str) -> dict[str, object]:
    return {key: f.value for key, f in figures.items()} | {"district": district}


def _wording(template: SummaryTemplate | None) -> tuple[str, str]:
    return (template.title, template.body) if template else (DEFAULT_TITLE, DEFAULT_BODY)


def summary_wording_preview(template: SummaryTemplate) -> tuple[str, list[str]]:
    """A wording's title and paragraphs with the figures as they stand now."""
    values = _values(
        {f.key: f for f in campaign_figures()}, Unit.objects.district_name(default="本区")
    )
    title, body = _wording(template)
    return summary_text_fill(title, values), paragraphs(summary_text_fill(body, values))


def summary_build(now: dt.datetime | None = None) -> CampaignSummary:
    """The summary as the ledger stands at `now` (default: now), in Chinese,
    in the wording in use (the built-in one when none is)."""
    now = now or timezone.now()
    with translation.override(DOCUMENT_LANGUAGE):
        figures = {f.key: f for f in campaign_figures(now)}
        district = Unit.objects.district_name(default="本区")
        values = _values(figures, district)
        title, body = _wording(template_in_use())
        try:
            filled_title = summary_text_fill(title, values)
            filled_body = summary_text_fill(body, values)
            wording_problem = ""
        except ValidationError as error:
            # A wording saved under another version's placeholders: the
            # summary still comes out, in the built-in words, and says why.
            wording_problem = " ".join(error.messages)
            filled_title = summary_text_fill(DEFAULT_TITLE, values)
            filled_body = summary_text_fill(DEFAULT_BODY, values)
        channels = _channel_rows()
        categories, other_appeals = _category_rows(now)
        appeals_chart = bar_chart(
            [(row.label, row.appeals) for row in channels if row.appeals],
            title="诉求来源（条）",
            description="各渠道征集的诉求条数。",
            empty_text="尚无诉求。",
            value_text=str,
            font_family=CHART_FONT_FAMILY,
        )
        projects_chart = bar_chart(
            [(row.name, row.projects) for row in categories],
            title="各类民生实事（件）",
            description="每类民生实事的件数。",
            empty_text="尚无民生实事。",
            value_text=str,
            font_family=CHART_FONT_FAMILY,
        )
        results = results_section()  # 成效, counted from the programmes' rows
    return CampaignSummary(
        as_of=now,
        district=district,
        title=filled_title,
        paragraphs=paragraphs(filled_body),
        figures=figures,
        channels=channels,
        categories=categories,
        other_appeals=other_appeals,
        appeals_chart=appeals_chart,
        projects_chart=projects_chart,
        wording_problem=wording_problem,
        results=results,
    )


def summary_document(summary: CampaignSummary) -> str:
    """The summary as one self-contained HTML document (CSS inlined)."""
    with translation.override(DOCUMENT_LANGUAGE):
        return render_to_string("reports/summary_document.html", {"summary": summary})


def summary_render(fmt: str) -> bytes:
    """The summary as it stands now, as an HTML document or a PDF."""
    return summary_bytes(summary_build(), fmt)


def summary_bytes(summary: CampaignSummary, fmt: str) -> bytes:
    """A summary already built, as an HTML document or a PDF."""
    html = summary_document(summary)
    if fmt == "html":
        return html.encode("utf-8")
    if fmt == "pdf":
        from .pdf import html_to_pdf

        return html_to_pdf(html)
    raise ValueError(f"unknown format: {fmt}")


def summary_filename(summary: CampaignSummary, fmt: str) -> str:
    return f"{summary.district}综述-{timezone.localdate(summary.as_of):%Y%m%d}.{fmt}"
