"""Bulk intake: many appeals in one call, checked like one, stored all or nothing."""

import datetime as dt
import pickle
import random
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone

from shishi.intake.bulk import AppealRecord, RowError, appeals_bulk_create
from shishi.intake.models import Appeal, AppealOutcome, AppealStatus, CollectionEvent
from shishi.intake.services import appeal_submit

pytestmark = pytest.mark.django_db

TRACKING = re.compile(r"^\d{6}-[23456789ABCDEFGHJKMNPQRSTVWXYZ]{6}$")


def hotline(i: int, **fields) -> dict:
    record = {
        "title": f"路灯不亮 {i}",
        "body": "小区门口路灯坏了一个月。",
        "channel": "hotline",
        "received_at": timezone.now() - dt.timedelta(hours=i),
    }
    record.update(fields)
    return record


def records(count: int, *, bad_row: int | None = None, **bad_fields):
    """A generator, as an import reads a file: row `bad_row` gets `bad_fields`."""
    for i in range(1, count + 1):
        yield hotline(i, **(bad_fields if i == bad_row else {}))


def test_rows_are_stored_with_tracking_numbers_and_history(bob, category, district):
    stored = appeals_bulk_create(
        [
            hotline(1, category=category, community=district["community"]),
            AppealRecord(
                title="学位紧张",
                channel="forum",
                received_at=timezone.now() - dt.timedelta(days=3),
                lat="34.747",  # a string, as a spreadsheet gives it
                lng=113.625,
                community=district["community"],
            ),
            hotline(3, submitter_email=" a@example.org ", submitter_name=" 王女士 "),
        ],
        actor=bob,
    )

    assert stored == 3
    appeals = {a.title: a for a in Appeal.objects.all()}
    assert set(appeals) == {"路灯不亮 1", "学位紧张", "路灯不亮 3"}
    for appeal in appeals.values():
        assert TRACKING.match(appeal.tracking_number)
        assert appeal.tracking_number.startswith(
            f"{timezone.localtime(appeal.received_at):%y%m%d}-"
        )
        assert appeal.status == AppealStatus.RECEIVED
        (record,) = appeal.history.all()
        assert (record.history_type, record.history_user, record.history_change_reason) == (
            "+",
            bob,
            "received",
        )
        assert record.tracking_number == appeal.tracking_number
    assert appeals["学位紧张"].lat == Decimal("34.747000")
    assert appeals["学位紧张"].lng == Decimal("113.625000")
    assert appeals["路灯不亮 1"].category == category
    assert appeals["路灯不亮 3"].submitter_email == "a@example.org"
    assert appeals["路灯不亮 3"].submitter_name == "王女士"


# Every appeal column but the id, the tracking number and the creation times:
# a field added to Appeal is compared too.
COMPARED_COLUMNS = ", ".join(
    f.column
    for f in Appeal._meta.concrete_fields
    # Times of the call itself differ between two calls.
    if f.attname not in {"id", "tracking_number", "created_at", "updated_at", "acknowledged_at"}
)


def stored_columns(table: str, tracking_number: str, columns: str = COMPARED_COLUMNS) -> tuple:
    # The raw stored values: SQLite compares text, so the text itself must match.
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} WHERE tracking_number = %s",  # noqa: S608
            [tracking_number],
        )
        return cursor.fetchone()


@pytest.mark.parametrize("microsecond", [0, 123456])
def test_bulk_stores_what_appeal_submit_stores(alice, bob, category, district, microsecond):
    event = CollectionEvent.objects.create(
        channel="forum",
        title="建设路社区座谈会",
        held_on=dt.date(2025, 3, 1),
        unit=district["street"],
    )
    fields = dict(
        title=" 学位紧张 ",
        body="孩子明年上学。\n",
        channel="forum",
        event=event,
        category=category,
        received_at=timezone.now().replace(microsecond=microsecond) - dt.timedelta(days=1),
        submitter_name="王女士",
        submitter_phone="13800000000",
        submitter_email="wang@example.org",
        submitter=alice,
        address="建设路 12 号",
        community=district["community"],
        lat=Decimal("34.7472501"),
        lng=Decimal("113.6253"),
    )
    one = appeal_submit(**fields, actor=bob)
    appeals_bulk_create([fields], actor=bob)
    many = Appeal.objects.exclude(pk=one.pk).get()

    assert stored_columns("intake_appeal", many.tracking_number) == stored_columns(
        "intake_appeal", one.tracking_number
    )
    history = "intake_historicalappeal"
    columns = f"{COMPARED_COLUMNS}, history_type, history_change_reason, history_user_id"
    assert stored_columns(history, many.tracking_number, columns) == stored_columns(
        history, one.tracking_number, columns
    )
    assert many.history.get().id == many.pk
    # The service levels' deadlines are among the columns compared; recorded by
    # staff, both are acknowledged as stored.
    assert many.acknowledge_due is not None and many.respond_due is not None
    assert one.acknowledged_at is not None and many.acknowledged_at == many.created_at


def test_an_answer_the_source_gave_counts_as_acknowledged_and_responded():
    appeals_bulk_create([hotline(1, answer="已修复。"), hotline(2)])

    answered = Appeal.objects.get(title="路灯不亮 1")
    assert answered.status == AppealStatus.ANSWERED
    assert answered.acknowledged_at == answered.responded_at == answered.created_at
    assert answered.outcome == AppealOutcome.ANSWERED
    waiting = Appeal.objects.get(title="路灯不亮 2")
    assert waiting.acknowledged_at is None and waiting.responded_at is None
    assert waiting.outcome == ""
    assert waiting.acknowledge_due > waiting.received_at


@pytest.mark.parametrize(
    "bad_fields, field",
    [
        ({"title": "   "}, "title"),
        ({"channel": "fax"}, "channel"),
        ({"lat": 95, "lng": 113.6}, "lat"),
        ({"lat": 34.7, "lng": "east"}, "lat"),
        ({"lat": "NaN", "lng": 113.6}, "lat"),
        ({"lat": 34.7}, "lat"),
        ({"title": "长" * 201}, "title"),
        ({"body": "长" * 10_001}, "body"),
        ({"address": "长" * 256}, "address"),
        ({"received_at": dt.datetime(2025, 3, 1, 9, 30)}, "received_at"),  # noqa: DTZ001 (the point)
        ({"received_at": timezone.now() + dt.timedelta(hours=1)}, "received_at"),
        ({"received_at": "2025-03-01 09:30"}, "received_at"),
        ({"submitter_email": "not an address"}, "submitter_email"),
        ({"body": "nul\x00byte"}, "body"),
        ({"titel": "typo in a column name"}, "titel"),
        ({"submitter_phone": 13800000000}, "submitter_phone"),  # a spreadsheet's number
    ],
)
def test_a_bad_row_deep_in_the_input_stores_nothing_of_the_call(bob, bad_fields, field):
    earlier = appeal_submit(title="早先的诉求", channel="web", actor=bob)

    with pytest.raises(ValidationError) as caught:
        # Batches of 10: rows 1–50 are inserted before row 57 is read.
        appeals_bulk_create(records(100, bad_row=57, **bad_fields), batch_size=10, actor=bob)

    error = caught.value
    assert isinstance(error, RowError)
    assert (error.row, error.field) == (57, field)
    assert list(error.message_dict) == [field]
    assert "57" in error.message_dict[field][0]
    assert list(Appeal.objects.all()) == [earlier]
    assert Appeal.history.count() == 1
    assert Appeal.objects.get().tracking_number == earlier.tracking_number


def test_related_objects_are_checked_like_appeal_submit(bob, district, category):
    event = CollectionEvent.objects.create(
        channel="forum", title="座谈会", held_on=dt.date(2025, 3, 1), unit=district["street"]
    )
    category.is_active = False
    category.save()
    cases = [
        ({"event": event}, "event"),  # a forum's event on a hotline appeal
        ({"category": category}, "category"),  # no longer in use
        ({"community": district["street"]}, "community"),  # a street is not a community
        ({"community": "建设路社区"}, "community"),  # a name, not the unit
    ]
    for bad_fields, field in cases:
        with pytest.raises(RowError) as caught:
            appeals_bulk_create([hotline(1), hotline(2, **bad_fields)])
        assert (caught.value.row, caught.value.field) == (2, field)
    assert not Appeal.objects.exists()


def test_the_input_is_read_one_batch_at_a_time(bob):
    seen_when_read = []

    def reading():
        for i in range(1, 36):
            # What the database holds when the importer reads row i.
            seen_when_read.append(Appeal.objects.count())
            yield hotline(i)

    assert appeals_bulk_create(reading(), batch_size=10, actor=bob) == 35

    # Rows 1–10 are read before anything is stored, row 11 after the first ten are.
    assert seen_when_read == [(i // 10) * 10 for i in range(35)]
    assert Appeal.objects.count() == Appeal.history.count() == 35


class FewNumbers(random.Random):
    """A random source with only 200 suffixes: collisions all the time."""

    def randrange(self, *args, **kwargs):
        return super().randrange(200)


def test_tracking_numbers_stay_unique_across_batches_and_calls(bob):
    day = timezone.now() - dt.timedelta(hours=1)
    same_day = [hotline(i, received_at=day) for i in range(60)]
    rng = FewNumbers(7)

    appeals_bulk_create(same_day[:30], batch_size=7, rng=rng, actor=bob)
    appeals_bulk_create(same_day[30:], batch_size=7, rng=rng, actor=bob)

    numbers = list(Appeal.objects.values_list("tracking_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 60
    assert all(TRACKING.match(n) for n in numbers)


def test_tracking_numbers_are_random_and_unique_by_default(bob):
    appeals_bulk_create((hotline(i % 24) for i in range(3000)), actor=bob)

    numbers = list(Appeal.objects.values_list("tracking_number", flat=True))
    assert len(set(numbers)) == 3000
    suffixes = "".join(n[-6:] for n in numbers)
    # Every character of the alphabet turns up, none overwhelmingly.
    counts = {c: suffixes.count(c) for c in set(suffixes)}
    assert len(counts) == 30
    assert max(counts.values()) < 2 * min(counts.values())


def test_an_empty_input_stores_nothing():
    assert appeals_bulk_create(iter(())) == 0
    assert not Appeal.objects.exists()


def test_a_row_error_survives_a_task_queue():
    error = RowError(57, "title", "Title must not be empty.")

    copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)

    assert (copy.row, copy.field, copy.message_dict) == (57, "title", error.message_dict)
