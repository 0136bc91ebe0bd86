"""评选 (e.g. 党史学习之星): a call with a deadline, nominations with their
materials, reviewers' scores (hidden from nominees until published), and the
selected, published."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 100
TEXT_MAX = 10_000
MAX_SCORE = 100


class Call(models.Model):
    title = models.CharField(_("title"), max_length=200, unique=True)
    description = models.TextField(_("description"), max_length=TEXT_MAX, blank=True)
    deadline = models.DateTimeField(_("nominations close"))
    places = models.PositiveIntegerField(_("places"))
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("selection call")
        verbose_name_plural = _("selection calls")
        ordering = ["-deadline"]
        permissions = [("review_nomination", _("Can score nominations"))]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="call_title_not_empty"),
            models.CheckConstraint(condition=Q(places__gte=1), name="call_places_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Nomination(models.Model):
    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.PROTECT, related_name="nominations"
    )
    nominee = models.CharField(_("nominee"), max_length=NAME_MAX)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    # The nominee's own account, if any: they see their scores only once published.
    nominee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("nominee's account"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="nominations",
    )
    materials = models.TextField(_("materials"), max_length=TEXT_MAX)
    submitted_at = models.DateTimeField(_("submitted at"))
    selected = models.BooleanField(_("selected"), default=False)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["call", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(nominee=""), name="nomination_nominee_not_empty"),
            models.UniqueConstraint(
                fields=["call", "nominee", "unit"], name="nomination_unique_in_call"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nominee}（{self.unit}）"


class Score(models.Model):
    nomination = models.ForeignKey(
        Nomination, verbose_name=_("nomination"), on_delete=models.PROTECT, related_name="scores"
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewer"),
        on_delete=models.PROTECT,
        related_name="selection_scores",
    )
    points = models.PositiveSmallIntegerField(_("score"))
    scored_at = models.DateTimeField(_("scored at"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        ordering = ["nomination", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["nomination", "reviewer"], name="score_once_per_reviewer"
            ),
            models.CheckConstraint(
                condition=Q(points__gte=0, points__lte=MAX_SCORE), name="score_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nomination}: {self.points}"
