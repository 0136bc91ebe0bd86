"""HTML to PDF with WeasyPrint. Chinese text needs a CJK font from the system
(Debian: fonts-noto-cjk); WeasyPrint embeds the subset it uses in the PDF, so
the file reads the same on any PC. Nothing is fetched from the network."""

import functools
import subprocess

from django.core.exceptions import ImproperlyConfigured

# The fonts that reports ask for, in order (see reports/static/reports/print.css).
CJK_FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei")
# For charts (inline SVG takes no CSS in WeasyPrint: without a family of its
# own, a label would fall back to a Japanese CJK face).
CHART_FONT_FAMILY = ", ".join([*CJK_FONT_FAMILIES, "Microsoft YaHei", "sans-serif"])


@functools.cache
def cjk_font_available() -> bool:
    try:
        listed = subprocess.run(
            ["fc-list", ":lang=zh", "family"],  # noqa: S607 (fontconfig's tool, from PATH)
            capture_output=True,
            text=True,
            timeout=10,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return False
    return any(family in listed for family in CJK_FONT_FAMILIES)


def html_to_pdf(html: str) -> bytes:
    """Lay out one complete HTML document (with its CSS inlined) as PDF."""
    if not cjk_font_available():
        raise ImproperlyConfigured(
            "No Chinese font is installed, so a PDF would show empty boxes. "
            "Install one from the system's packages, e.g. `apt-get install fonts-noto-cjk`."
        )
    import weasyprint  # imported here: loading pango takes a moment

    # Reports are self-contained: stylesheets are inlined, charts are inline SVG.
    # WeasyPrint 70 takes a URLFetcher (a plain function fails once it is called);
    # this one refuses every URL but data: ones, and a refusal is only a warning.
    no_fetch = weasyprint.urls.URLFetcher(allowed_protocols={"data"})
    return weasyprint.HTML(string=html, url_fetcher=no_fetch).write_pdf()
