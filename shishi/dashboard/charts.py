"""Horizontal bar charts as inline SVG, drawn on the server: no JavaScript, no
fonts of their own (inline SVG text takes the page's font), readable at any
width. Each bar is a row of two lines: the label on the left and the value on
the right, then the bar. Text keeps its pixel size; only the bars stretch
(their widths are percentages), so nothing shrinks on a 375 px phone.

Every piece of text is escaped here: labels are data (category names) that
anyone with the admin could have typed."""

from collections.abc import Callable, Iterable, Sequence
from html import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe

ROW_HEIGHT = 44  # px: a 14 px text line, a 12 px bar, and the space between rows
TEXT_BASELINE = 17
BAR_TOP = 23
BAR_HEIGHT = 12
FONT_SIZE = 14
# The longest label drawn whole, in em (a CJK character is 1 em, a Latin one
# about 0.55): it leaves room for a value on a 375 px phone. Longer labels are
# cut with an ellipsis; the full label stays in the row's <title>, the chart's
# <desc> and the table beside the chart.
LABEL_MAX_EM = 16.0

INK = "#1f2933"  # 14.5:1 on white
BAR = "#0b57d0"  # 5.6:1 on white, 4.9:1 on the track: visible to low vision
TRACK = "#eceff3"


def _attr(value: str) -> str:
    return escape(str(value), quote=True)


def _width_em(text: str) -> float:
    return sum(1.0 if ord(ch) > 0x2E7F else 0.55 for ch in text)


def shorten(label: str, max_em: float = LABEL_MAX_EM) -> str:
    """The label, cut with an ellipsis if it is wider than `max_em`."""
    if _width_em(label) <= max_em:
        return label
    kept, width = [], 1.0  # room for the ellipsis
    for ch in label:
        width += _width_em(ch)
        if width > max_em:
            break
        kept.append(ch)
    return "".join(kept).rstrip() + "…"


def format_count(value: int) -> str:
    """A count as the current language writes it (100000 in Chinese, 100,000 in English)."""
    return number_format(value, force_grouping=True)


def bar_chart(
    rows: Iterable[tuple[str, int]],
    *,
    title: str,
    description: str = "",
    empty_text: str = "",
    value_text: Callable[[int], str] = format_count,
    font_family: str = "",
) -> SafeString:
    """An accessible horizontal bar chart of `rows`, (label, value) pairs in the
    order given. The bars are scaled to the largest value. `role="img"` makes
    assistive technology treat the chart as one image named by `title`; its
    <desc> lists every label with its value. `font_family`: for a PDF, whose
    inline SVG does not take the document's CSS."""
    rows: Sequence[tuple[str, int]] = [(str(label), int(value)) for label, value in rows]
    largest = max((value for _label, value in rows), default=0)
    summary = "; ".join(f"{label}: {value_text(value)}" for label, value in rows)
    desc = " ".join(part for part in (description, summary or empty_text) if part)
    height = max(len(rows), 1) * ROW_HEIGHT
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="bar-chart" role="img" '
        f'aria-label="{_attr(title)}" width="100%" height="{height}" '
        f'font-size="{FONT_SIZE}"'
        + (f' font-family="{_attr(font_family)}"' if font_family else "")
        + ">",
        f"<title>{escape(title)}</title>",
        f"<desc>{escape(desc)}</desc>",
    ]
    if not rows:
        parts.append(
            f'<text class="chart-empty" x="0" y="{TEXT_BASELINE}" fill="{INK}">'
            f"{escape(empty_text)}</text>"
        )
    for index, (label, value) in enumerate(rows):
        top = index * ROW_HEIGHT
        share = 100 * value / largest if largest else 0
        if value > 0:
            share = max(share, 0.5)  # a small value still shows a sliver
        parts.append(
            f'<g class="bar-row"><title>{escape(label)}: {escape(value_text(value))}</title>'
            f'<text x="0" y="{top + TEXT_BASELINE}" fill="{INK}">{escape(shorten(label))}</text>'
            f'<text x="100%" y="{top + TEXT_BASELINE}" fill="{INK}" text-anchor="end" '
            f'font-weight="600" class="bar-value">{escape(value_text(value))}</text>'
            f'<rect class="bar-track" x="0" y="{top + BAR_TOP}" width="100%" '
            f'height="{BAR_HEIGHT}" rx="2" fill="{TRACK}"/>'
            f'<rect class="bar" x="0" y="{top + BAR_TOP}" width="{share:.2f}%" '
            f'height="{BAR_HEIGHT}" rx="2" fill="{BAR}" data-value="{value}"/></g>'
        )
    parts.append("</svg>")
    # Safe: every interpolated string above went through escape().
    return mark_safe("".join(parts))  # noqa: S308
