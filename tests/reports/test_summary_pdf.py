"""The summary as PDF: Chinese text laid out with a system CJK font, legible
once the page is turned into pixels, and nothing fetched from anywhere."""

import pypdfium2
import pytest
from django.core.management import call_command

from shishi.reports.pdf import cjk_font_available, html_to_pdf
from shishi.reports.summary import summary_build, summary_document, summary_render

from . import summary_world

campaign = summary_world.campaign  # the fixture

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        not cjk_font_available(),
        reason="no CJK font installed, so a PDF would show empty boxes "
        "(Debian: apt-get install fonts-noto-cjk)",
    ),
]


def first_page(data: bytes):
    """Page 1's text and its image at 1.5 × (about 108 dpi)."""
    page = pypdfium2.PdfDocument(data)[0]
    return page.get_textpage().get_text_range(), page.render(scale=1.5).to_pil()


def ink_share(image) -> float:
    """The share of pixels that are not (nearly) white."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:200]) / (grey.width * grey.height)


def test_page_one_shows_the_chinese_text_and_figures(campaign):
    data = html_to_pdf(summary_document(summary_build(campaign.now)))
    assert data.startswith(b"%PDF-")
    text, image = first_page(data)
    assert "座谈会" in text
    flat = "".join(text.split())
    assert "共召开征集意见座谈会2场，发放调查问卷500份，入户走访40人次，征集诉求5条" in flat
    assert image.width > 800 and image.height > 1100  # A4 at 1.5 ×
    assert 0.01 < ink_share(image) < 0.5  # text on paper, neither blank nor black


def test_an_empty_ledger_still_makes_a_legible_page(db):
    text, image = first_page(summary_render("pdf"))
    assert "暂无可综述的内容" in "".join(text.split())
    assert ink_share(image) > 0.002


def test_the_command_writes_the_pdf(campaign, tmp_path):
    out = tmp_path / "综述.pdf"
    call_command("report", "summary", "--format", "pdf", "-o", str(out))
    text, _image = first_page(out.read_bytes())
    assert "征集诉求5条" in "".join(text.split())


def test_a_report_never_fetches_a_url_and_is_still_made():
    # WeasyPrint 70 takes a URLFetcher; a URL in a report is refused (with a
    # warning in the log), never fetched, and the rest of the page is laid out.
    html = (
        '<!doctype html><html lang="zh-Hans"><body><p>座谈会</p>'
        '<img src="http://198.51.100.7/logo.png" alt="">'
        '<img src="file:///etc/hostname" alt=""></body></html>'
    )
    text, _image = first_page(html_to_pdf(html))
    assert "座谈会" in text
