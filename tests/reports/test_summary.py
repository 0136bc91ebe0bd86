"""The campaign summary (综述): every figure counted from the ledger, in the
wording an administrator chose, with nothing typed by hand."""

import re
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.utils import timezone

from shishi.core.stats import FIGURES, campaign_figures
from shishi.intake.services import appeal_submit, collection_event_create
from shishi.organisation.stats import FIGURES as ORGANISATION_FIGURES
from shishi.programmes.figures import RESULTS, STATS_KEYS
from shishi.reports.models import PLACEHOLDERS, SummaryTemplate, paragraphs, summary_text_fill
from shishi.reports.services import summary_template_save
from shishi.reports.summary import (
    DEFAULT_BODY,
    DEFAULT_TITLE,
    percent,
    summary_build,
    summary_document,
)

from . import summary_world

campaign = summary_world.campaign  # the fixture

pytestmark = pytest.mark.django_db

PROGRAMME_KEYS = set(STATS_KEYS) - {"household_visits"}


def text_of(html: str) -> str:
    """The words of an HTML document, without its style sheet, tags or line breaks."""
    html = re.sub(r"<style>.*?</style>", "", html, flags=re.DOTALL)
    return re.sub(r"\s+", "", unescape(re.sub(r"<[^>]+>", "", html)))


# ------------------------------------------------------------ the figures


def test_the_figures_are_counted_from_the_ledger(campaign):
    summary = summary_build(campaign.now)
    # The programmes' results (shishi.programmes) are tested with their records.
    values = {k: v for k, v in summary.values.items() if k not in PROGRAMME_KEYS}
    assert values == {
        "participating_units": 5,  # the district's units, all taking part
        "leaders": 1,
        "forums": 2,
        "questionnaires_issued": 500,
        "household_visits": 40,
        "appeals": 5,
        "project_categories": 2,
        "projects": 4,
        "projects_settled": 1,
        "projects_ongoing": 3,
        "projects_overdue": 1,
        "items_missing_report": 2,  # neither has reported for that week
        "items_active": 2,  # one project claimed, one in progress
        # Nothing of the campaign's organisation and activities (issue 16) yet
        # but the fixture's one rectification item.
        **dict.fromkeys(ORGANISATION_FIGURES, 0),
        "rectification_items": 1,
    }
    assert summary.settled_percent == "25.0%"
    assert summary.district == "中原区"


def test_the_channels_give_events_reach_and_appeals(campaign):
    rows = [
        (r.label, r.events_text, r.reach_text, r.appeals)
        for r in summary_build(campaign.now).channels
    ]
    assert rows == [
        ("座谈会", "2场", "参与51人次", 3),
        ("调查问卷", "1批", "发放500份", 0),
        ("入户走访", "1轮", "走访40人次", 0),
        ("热线", "", "", 1),
        ("网站", "", "", 1),
    ]


def test_the_categories_give_projects_by_progress_and_appeals(campaign):
    summary = summary_build(campaign.now)
    rows = [
        (r.name, r.projects, r.settled, r.ongoing, r.overdue, r.settled_percent, r.appeals)
        for r in summary.categories
    ]
    # In the categories' order (sort order, then name). 学位's appeal counts for
    # 教育优先 above it; 养老服务 has no project.
    assert rows == [
        ("交通出行", 1, 0, 1, 0, "0.0%", 1),
        ("教育优先", 3, 1, 2, 1, "33.3%", 2),
    ]
    assert summary.other_appeals == 2
    assert sum(r.projects for r in summary.categories) == summary.projects
    assert sum(r.appeals for r in summary.categories) + summary.other_appeals == 5


def test_an_item_is_overdue_only_once_its_deadline_has_passed(campaign):
    summary = summary_build()  # today: nothing is late yet
    assert summary.values["projects_overdue"] == 0
    assert [r.overdue for r in summary.categories] == [0, 0]


def test_the_document_tells_the_figures_in_the_default_words(campaign):
    html = summary_document(summary_build(campaign.now))
    text = text_of(html)
    assert "中原区“我为群众办实事”实践活动综述" in text
    assert "共召开征集意见座谈会2场，发放调查问卷500份，入户走访40人次，征集诉求5条" in text
    assert "涵盖2类4件民生实事" in text
    assert "已清账民生实事1件，正在推进3件，其中1件已超过完成时限" in text
    assert "已清账1件，占25.0%" in text
    assert html.count('class="flag is-overdue"') == 1  # 教育优先 has the overdue project
    assert html.count('class="bar-chart"') == 2


def test_the_summary_makes_the_same_few_queries_for_more_projects(
    campaign, make_item, django_assert_max_num_queries
):
    # 30, and one a figure for the programmes' results (shishi.programmes.figures).
    with django_assert_max_num_queries(30 + 2 * len(RESULTS)) as few:
        summary_build(campaign.now)
    for n in range(5):
        make_item(title=f"又一件实事{n}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        summary_build(campaign.now)


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [(1, 4, "25.0%"), (50, 94, "53.2%"), (1, 3, "33.3%"), (2, 3, "66.7%"), (0, 7, "0.0%")]
    + [(7, 7, "100.0%"), (9999, 10000, "99.9%"), (1, 10000, "0.1%"), (0, 0, None)],
)
def test_a_rate_is_a_tenth_of_a_percent_and_none_without_a_whole(part, whole, shown):
    assert percent(part, whole) == shown


# ------------------------------------------------------------ nothing yet


def test_an_empty_ledger_says_so_instead_of_printing_rates(db):
    summary = summary_build()
    assert summary.is_empty and summary.settled_percent is None
    text = text_of(summary_document(summary))
    assert "暂无可综述的内容" in text
    assert "尚未记录征集活动和诉求" in text
    assert "尚无民生实事" in text
    assert "%" not in text and "清账率" not in text


def test_collection_without_projects_tells_the_collection_and_no_rate(district, bob):
    collection_event_create(
        channel="forum", title="座谈会", held_on=timezone.localdate(), unit=district["street"]
    )
    summary = summary_build()
    assert not summary.is_empty and summary.settled_percent is None
    text = text_of(summary_document(summary))
    assert "共召开征集意见座谈会1场" in text
    assert "尚无民生实事" in text
    assert "%" not in text


def test_projects_and_hotline_appeals_without_events_say_no_event_was_held(make_item):
    make_item()
    appeal_submit(title="路灯不亮", channel="hotline")
    text = text_of(summary_document(summary_build()))
    assert "尚未记录座谈会、问卷调查、入户走访等征集活动" in text
    assert "热线—" in text  # the hotline's row: no event, one appeal
    assert "已清账0件，占0.0%" in text


# ------------------------------------------------------------ the wording


def test_every_figure_is_a_placeholder():
    assert set(PLACEHOLDERS) == {"district", *FIGURES}
    assert {f.key for f in campaign_figures()} == set(FIGURES)


def test_the_default_wording_uses_only_known_placeholders():
    SummaryTemplate(title=DEFAULT_TITLE, body=DEFAULT_BODY).full_clean()


@pytest.mark.parametrize(
    ("body", "named"),
    [
        ("共召开座谈会{forum}场", "{forum}"),
        ("{forums.real}", "{forums.real}"),
        ("{forums:>8}", "{forums:>8}"),
        ("{forums!r}", "{forums!r}"),
        ("{0}", "{0}"),
        ("{}", "{}"),
        ("{座谈会}", "{座谈会}"),
    ],
)
def test_an_unknown_placeholder_is_refused_with_the_known_ones_listed(body, named):
    with pytest.raises(ValidationError) as refused:
        SummaryTemplate(title="综述", body=body).full_clean()
    message = " ".join(refused.value.message_dict["body"])
    assert named in message
    assert "{forums}" in message and "{projects_settled}" in message and "{district}" in message


@pytest.mark.parametrize("body", ["共{forums场", "共forums}场", "{{forums}"])
def test_an_unpaired_brace_is_refused(body):
    with pytest.raises(ValidationError) as refused:
        SummaryTemplate(title="综述", body=body).full_clean()
    assert "{{" in " ".join(refused.value.message_dict["body"])


def test_doubled_braces_print_one_brace():
    assert summary_text_fill("{{注}}共{forums}场", {"forums": 149}) == "{注}共149场"


def test_paragraphs_are_separated_by_blank_lines():
    assert paragraphs("甲\r\n\r\n乙\n丙\n \n\n丁\n") == ["甲", "乙\n丙", "丁"]


def test_the_words_are_escaped_and_the_lines_kept(campaign, admin_user):
    template = SummaryTemplate(
        title="<b>综述</b>", body='<script>alert("x")</script>共{forums}场\n第二行'
    )
    summary_template_save(template=template, actor=admin_user)
    html = summary_document(summary_build(campaign.now))
    assert "<script>" not in html and "<b>综述" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;共2场<br>第二行" in html
    assert "<h1>&lt;b&gt;综述&lt;/b&gt;</h1>" in html


def test_the_wording_in_use_is_used_and_another_takes_its_place(db, admin_user):
    first = SummaryTemplate(title="{district}综述", body="座谈会{forums}场")
    summary_template_save(template=first, actor=admin_user)
    assert summary_build().paragraphs == ["座谈会0场"]
    assert summary_build().title == "本区综述"  # no district unit yet

    second = SummaryTemplate(title="综述二", body="诉求{appeals}条")
    summary_template_save(template=second, actor=admin_user, reason="换用新版")
    first.refresh_from_db()
    assert not first.is_active and second.is_active
    assert summary_build().paragraphs == ["诉求0条"]
    assert first.history.latest().history_change_reason == "换用新版"
    assert first.history.latest().history_user == admin_user

    second.is_active = False
    summary_template_save(template=second, actor=admin_user)
    assert summary_build().title == "本区“我为群众办实事”实践活动综述"  # the default


def test_a_wording_from_another_version_falls_back_to_the_default(db, admin_user):
    # A wording saved when a figure had another name: it can no longer be filled in.
    SummaryTemplate.objects.create(title="综述", body="旧指标{retired_figure}项")
    summary = summary_build()
    assert "{retired_figure}" in summary.wording_problem
    assert summary.title == "本区“我为群众办实事”实践活动综述"
    assert any("征集诉求0条" in p for p in summary.paragraphs)


def test_the_command_writes_the_summary_as_html(campaign, tmp_path):
    out = tmp_path / "综述.html"
    call_command("report", "summary", "--format", "html", "-o", str(out))
    html = out.read_text(encoding="utf-8")
    assert html.startswith("<!doctype html>") and "<style>" in html
    assert "征集意见座谈会2场" in text_of(html)
