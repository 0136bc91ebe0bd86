"""The campaign's activities: meetings (and the matters found at them, opened
as 立行立改 / 即知即改 items), study sessions and the other study records
(expert reports, study visits, screenings, books), and the lecture groups with
their speakers, lectures and attendance."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NAME_MAX = 100
TITLE_MAX = 200
TEXT_MAX = 10_000


class MeetingKind(models.TextChoices):
    PROMOTION = "promotion", _("work-promotion meeting")
    FORUM = "forum", _("forum")
    LEADER_VISIT = "leader_visit", _("leader's visit to a unit")
    ORG_LIFE = "org_life", _("special organisational-life meeting")


# The figure `meetings` counts these two kinds (推进会, 座谈会).
COUNTED_MEETING_KINDS = [MeetingKind.PROMOTION, MeetingKind.FORUM]


class Meeting(models.Model):
    kind = models.CharField(_("kind"), max_length=20, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    held_on = models.DateField(_("held on"))
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    participants = models.PositiveIntegerField(_("participants"), default=0)
    note = models.TextField(_("note"), max_length=TEXT_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="meeting_title_not_empty"),
            models.CheckConstraint(
                condition=Q(participants__gte=0), name="meeting_participants_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MatterKind(models.TextChoices):
    RECTIFY_NOW = "rectify_now", _("rectify at once (立行立改)")
    CORRECT_ON_KNOWING = "correct_on_knowing", _("correct on knowing (即知即改)")


class MeetingMatter(models.Model):
    """A matter found at a meeting, opened as a rectification item."""

    meeting = models.ForeignKey(
        Meeting, verbose_name=_("meeting"), on_delete=models.PROTECT, related_name="matters"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=MatterKind.choices)
    item = models.OneToOneField(
        "ledger.LedgerItem",
        verbose_name=_("rectification item"),
        on_delete=models.PROTECT,
        related_name="meeting_matter",
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("matter found at a meeting")
        verbose_name_plural = _("matters found at meetings")
        ordering = ["pk"]

    def __str__(self) -> str:
        return str(self.item)


class StudyKind(models.TextChoices):
    THEORY_GROUP = "theory_group", _("theory-group study session")
    SPECIAL = "special", _("special study session")
    EXPERT_REPORT = "expert_report", _("expert report")
    STUDY_VISIT = "study_visit", _("study visit")
    SCREENING = "screening", _("film screening")
    BOOKS = "books", _("books ordered")


# The figure `study_sessions` counts the sessions proper (中心组学习, 专题学习).
COUNTED_STUDY_KINDS = [StudyKind.THEORY_GROUP, StudyKind.SPECIAL]


class StudyRecord(models.Model):
    """A study session, expert report, study visit, screening or book order.
    `count` is what the kind counts: attendance, person-times, viewings, copies."""

    kind = models.CharField(_("kind"), max_length=20, choices=StudyKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    speaker = models.CharField(_("speaker"), max_length=NAME_MAX, blank=True)
    count = models.PositiveIntegerField(_("attendance or count"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("study record")
        verbose_name_plural = _("study records")
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["kind", "held_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="study_title_not_empty"),
            models.CheckConstraint(condition=Q(count__gte=0), name="study_count_not_negative"),
        ]

    def __str__(self) -> str:
        return self.title


class LectureGroup(models.Model):
    """宣讲团: a lecture group of a unit."""

    name = models.CharField(_("name"), max_length=NAME_MAX, unique=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lecture group")
        verbose_name_plural = _("lecture groups")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="lecture_group_name_not_empty"),
        ]

    def __str__(self) -> str:
        return self.name


class Speaker(models.Model):
    group = models.ForeignKey(
        LectureGroup,
        verbose_name=_("lecture group"),
        on_delete=models.PROTECT,
        related_name="speakers",
    )
    name = models.CharField(_("name"), max_length=NAME_MAX)
    title = models.CharField(_("position"), max_length=NAME_MAX, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lecture speaker")
        verbose_name_plural = _("lecture speakers")
        ordering = ["group", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["group", "name"], name="speaker_unique_in_group"),
        ]

    def __str__(self) -> str:
        return self.name


class Lecture(models.Model):
    """宣讲: one lecture with its attendance (a count, or the length of its
    imported attendance list)."""

    group = models.ForeignKey(
        LectureGroup,
        verbose_name=_("lecture group"),
        on_delete=models.PROTECT,
        related_name="lectures",
    )
    speaker = models.ForeignKey(
        Speaker, verbose_name=_("speaker"), on_delete=models.PROTECT, related_name="lectures"
    )
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    held_on = models.DateField(_("date"))
    place = models.CharField(_("place"), max_length=TITLE_MAX, blank=True)
    unit = models.ForeignKey(
        "org.Unit", verbose_name=_("unit"), on_delete=models.PROTECT, related_name="+"
    )
    attendance = models.PositiveIntegerField(_("attendance"), default=0)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("lecture")
        verbose_name_plural = _("lectures")
        ordering = ["-held_on", "pk"]
        indexes = [models.Index(fields=["held_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="lecture_title_not_empty"),
            models.CheckConstraint(
                condition=Q(attendance__gte=0), name="lecture_attendance_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return self.title
