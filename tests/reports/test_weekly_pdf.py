"""The weekly bulletin as PDF: Chinese text that renders (not empty boxes) and
can be read back, and a clear answer when the server has no Chinese font."""

from urllib.parse import unquote

import pypdfium2
import pytest
from django.urls import reverse
from PIL import Image

from shishi.reports import pdf
from shishi.reports.weekly import bulletin_render

from .test_weekly import W40, build_weeks_39_to_41

pytestmark = pytest.mark.django_db

needs_cjk_font = pytest.mark.skipif(
    not pdf.cjk_font_available(),
    reason="no Chinese font installed (fc-list :lang=zh finds no Noto CJK or WenQuanYi); "
    "install fonts-noto-cjk to run the PDF tests",
)


@pytest.fixture
def weeks(district, make_item, dave, erin):
    return build_weeks_39_to_41(district=district, make_item=make_item, dave=dave, erin=erin)


def dark_share(image: Image.Image) -> float:
    """The share of the page's pixels that are dark (ink, not paper)."""
    grey = image.convert("L")
    histogram = grey.histogram()
    return sum(histogram[:128]) / (grey.width * grey.height)


@needs_cjk_font
@pytest.mark.slow
def test_the_pdf_renders_chinese_text_and_charts_on_page_one(weeks):
    data = bulletin_render(W40, "pdf")
    assert data.startswith(b"%PDF")
    document = pypdfium2.PdfDocument(data)
    assert len(document) >= 1
    page = document[0]
    text = page.get_textpage().get_text_range()
    assert "周调度通报（2021-W40）" in text
    assert "2021年10月4日至2021年10月10日" in text
    assert "区教育局" in text  # in the chart, drawn as SVG text
    image = page.render(scale=1.5).to_pil()
    assert image.width > 800
    assert dark_share(image) > 0.01  # text, table rules and bars, not a blank page

    all_text = "".join(document[i].get_textpage().get_text_range() for i in range(len(document)))
    for heading in ["各单位报送情况及排名", "进度滞后事项", "逾期事项", "本周清账事项"]:
        assert heading in all_text
    assert weeks["B"].number in all_text and weeks["G"].number in all_text


@needs_cjk_font
@pytest.mark.slow
def test_staff_download_the_pdf_with_a_chinese_file_name(client, bob, weeks):
    client.force_login(bob)
    response = client.get(reverse("reports:weekly"), {"week": "2021-W40", "format": "pdf"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "周调度通报-2021-W40.pdf" in unquote(response["Content-Disposition"])
    image = pypdfium2.PdfDocument(response.content)[0].render(scale=1).to_pil()
    assert dark_share(image) > 0.01


def test_without_a_chinese_font_the_pdf_is_refused_with_a_clear_message(
    client, bob, weeks, monkeypatch, settings
):
    settings.LANGUAGE_CODE = "en"
    monkeypatch.setattr(pdf, "cjk_font_available", lambda: False)
    monkeypatch.setattr("shishi.reports.views.weekly.cjk_font_available", lambda: False)
    client.force_login(bob)
    page = client.get(reverse("reports:weekly"), {"week": "2021-W40"}).content.decode()
    assert "format=pdf" not in page  # no link to a PDF that cannot be made
    response = client.get(reverse("reports:weekly"), {"week": "2021-W40", "format": "pdf"})
    assert response.status_code == 503
    assert "no Chinese font is installed" in response.content.decode()
