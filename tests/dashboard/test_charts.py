"""The server-drawn bar charts: well-formed SVG, one bar per label, accessible,
escaped. No database."""

import xml.etree.ElementTree as ET

import pytest

from shishi.dashboard.charts import bar_chart, shorten

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output)


def bars(root: ET.Element) -> list[ET.Element]:
    return [r for r in root.iter(f"{SVG}rect") if r.get("class") == "bar"]


def texts(root: ET.Element) -> list[str]:
    return [t.text for t in root.iter(f"{SVG}text")]


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


def test_chart_is_well_formed_svg_with_a_bar_per_label():
    root = parse(bar_chart([("hotline", 2), ("web", 1), ("forum", 0)], title="By channel"))
    assert root.tag == f"{SVG}svg"
    assert [b.get("data-value") for b in bars(root)] == ["2", "1", "0"]
    assert texts(root) == ["hotline", "2", "web", "1", "forum", "0"]


def test_bars_are_scaled_to_the_largest_value_and_a_small_one_stays_visible():
    root = parse(bar_chart([("a", 400), ("b", 100), ("c", 1), ("d", 0)], title="t"))
    widths = [b.get("width") for b in bars(root)]
    assert widths == ["100.00%", "25.00%", "0.50%", "0.00%"]


def test_chart_is_named_and_described_for_assistive_technology():
    root = parse(bar_chart([("教育", 3), ("交通", 1)], title="按类别", description="顶级类别"))
    assert root.get("role") == "img"
    assert root.get("aria-label") == "按类别"
    assert root.find(f"{SVG}title").text == "按类别"
    assert root.find(f"{SVG}desc").text == "顶级类别 教育: 3; 交通: 1"


def test_labels_are_escaped_not_markup():
    svg = bar_chart([("<b>x</b>", 1), ('"&quot', 2)], title="<i>t</i>", description="a & b")
    root = parse(svg)  # would fail on a stray tag or ampersand
    assert "<b>" not in svg and "<i>" not in svg
    assert root.find(f"{SVG}b") is None
    assert root.get("aria-label") == "<i>t</i>"
    assert texts(root)[0] == "<b>x</b>"
    assert texts(root)[2] == '"&quot'


def test_all_zero_values_and_no_rows_do_not_break():
    root = parse(bar_chart([("a", 0), ("b", 0)], title="t"))
    assert [b.get("width") for b in bars(root)] == ["0.00%", "0.00%"]
    root = parse(bar_chart([], title="t", empty_text="Nothing yet."))
    assert bars(root) == []
    assert texts(root) == ["Nothing yet."]
    assert root.find(f"{SVG}desc").text == "Nothing yet."


def test_long_labels_are_shortened_but_kept_whole_in_the_row_title():
    label = "城乡建设与管理" * 4
    root = parse(bar_chart([(label, 5)], title="t"))
    drawn = texts(root)[0]
    assert drawn.endswith("…") and len(drawn) < len(label)
    row_title = root.find(f"{SVG}g/{SVG}title").text
    assert row_title == f"{label}: 5"
    assert shorten("short") == "short"


def test_values_are_grouped_as_the_language_writes_them():
    root = parse(bar_chart([("a", 100000)], title="t"))
    assert texts(root)[1] == "100,000"
