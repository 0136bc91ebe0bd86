"""The wording of the campaign summary (综述). An administrator edits the words;
the figures are placeholders such as {forums} that the summary fills in from
the ledger, so no figure is ever typed by hand."""

import re
import string

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.models import HistoricalRecords

from shishi.core.stats import FIGURES

TITLE_MAX = 200
BODY_MAX = 10_000

# Every placeholder the wording may use, with what it stands for: each campaign
# figure (shishi.core.stats) and the district's name.
PLACEHOLDERS: dict[str, str] = {
    "district": "区（县、市）名称",
    **{key: f"{label}（{unit}）" for key, (label, unit) in FIGURES.items()},
}


def placeholder_list() -> str:
    return "、".join(f"{{{name}}}" for name in PLACEHOLDERS)


def _pieces(text: str) -> list[tuple[str, str | None]]:
    """(literal text, placeholder name or None) pairs, `{{` and `}}` read as
    literal braces. Raises ValidationError for anything but a known name in
    braces: a stray brace, a format spec, an attribute, an unknown name."""
    try:
        parsed = list(string.Formatter().parse(text))
    except ValueError:
        raise ValidationError(
            _(
                "A brace is not paired. Placeholders are written like {forums}; "
                "write {{ and }} for a brace that is meant to be printed."
            ),
            code="unpaired_brace",
        ) from None
    pieces, unknown = [], []
    for literal, name, spec, conversion in parsed:
        if name is None:
            pieces.append((literal, None))
            continue
        written = "{" + name + (f"!{conversion}" if conversion else "")
        written += (f":{spec}" if spec else "") + "}"
        if name not in PLACEHOLDERS or spec or conversion:
            unknown.append(written)
        pieces.append((literal, name))
    if unknown:
        raise ValidationError(
            _("Unknown placeholder: %(unknown)s. The placeholders are: %(known)s.")
            % {"unknown": "、".join(dict.fromkeys(unknown)), "known": placeholder_list()},
            code="unknown_placeholder",
        )
    return pieces


def validate_summary_text(text: str) -> None:
    _pieces(text)


def summary_text_fill(text: str, values: dict[str, object]) -> str:
    """The text with each placeholder replaced by its value (plain text: the
    caller escapes it for HTML)."""
    return "".join(
        literal + ("" if name is None else str(values[name])) for literal, name in _pieces(text)
    )


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs, separated by blank lines; a single line break
    stays inside its paragraph."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    return [p.strip() for p in re.split(r"\n[ \t\u3000]*\n\s*", text) if p.strip()]


class SummaryTemplate(models.Model):
    """The words of the campaign summary; the summary uses the one in use, or
    the built-in wording when none is."""

    title = models.CharField(
        gettext_lazy("title"),
        max_length=TITLE_MAX,
        validators=[validate_summary_text],
    )
    body = models.TextField(
        gettext_lazy("body text"),
        max_length=BODY_MAX,
        validators=[validate_summary_text],
        help_text=gettext_lazy(
            "Paragraphs are separated by a blank line. Figures are placeholders in braces, "
            "such as {forums}, filled in from the ledger whenever the summary is made; "
            "write {{ and }} for a brace that is meant to be printed."
        ),
    )
    is_active = models.BooleanField(
        gettext_lazy("in use"),
        default=True,
        help_text=gettext_lazy(
            "The summary uses the wording in use. Putting this one in use takes any other out."
        ),
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = gettext_lazy("summary wording")
        verbose_name_plural = gettext_lazy("summary wordings")
        ordering = ["-is_active", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"],
                condition=models.Q(is_active=True),
                name="summary_template_one_in_use",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def validate_constraints(self, exclude=None):
        # Putting a wording in use takes the other out of use (the service
        # summary_template_save does it), so the one-in-use constraint, which
        # the database keeps, is no reason to refuse a form.
        super().validate_constraints(exclude={*(exclude or ()), "is_active"})
