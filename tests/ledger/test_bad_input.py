"""Bad input is refused with a message naming the field, and nothing changes."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from shishi.categories.services import category_resolve
from shishi.ledger.models import LedgerItem, Target
from shishi.ledger.services import TargetSpec, item_create

pytestmark = pytest.mark.django_db


def create(bob, default_category, **overrides):
    kwargs = {
        "kind": "project",
        "title": "新增公共停车泊位",
        "category": default_category,
        "actor": bob,
        "deadline": timezone.now() + dt.timedelta(days=30),
        "targets": [TargetSpec("公共停车泊位", "个", 7361)],
    }
    kwargs.update(overrides)
    return item_create(**kwargs)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "长" * 201}, "title"),
        ({"description": "长" * 10_001}, "description"),
        ({"deadline": timezone.now() - dt.timedelta(hours=1)}, "deadline"),
        ({"deadline": dt.datetime(2030, 1, 1)}, "deadline"),  # noqa: DTZ001 (naive on purpose)
        ({"targets": [TargetSpec("泊位", "个", -1)]}, "targets[1]"),
        ({"targets": [TargetSpec("泊位", "个", "很多")]}, "targets[1]"),
        ({"targets": [TargetSpec("泊位", "个", "NaN")]}, "targets[1]"),
        # Issue 18: more decimals than are stored is refused, never rounded to 0.
        ({"targets": [TargetSpec("泊位", "个", "0.0000001")]}, "targets[1]"),
        ({"targets": [TargetSpec("泊位", "个", "1.005")]}, "targets[1]"),
        ({"targets": [TargetSpec("泊位", "个", 1), TargetSpec("", "个", 1)]}, "targets[2]"),
        ({"targets": [TargetSpec("泊位", "", 1)]}, "targets[1]"),
        ({"targets": [TargetSpec("泊位", "个", 1), TargetSpec("泊位", "个", 2)]}, "targets[2]"),
        ({"category": None}, "category"),
    ],
)
def test_bad_item_input_names_the_field_and_stores_nothing(
    bob, category, make_item, overrides, field
):
    existing = make_item(title="已有的实事")
    before = (LedgerItem.objects.count(), Target.objects.count(), existing.history.count())
    with pytest.raises(ValidationError) as err:
        create(bob, category, **overrides)
    assert field in err.value.message_dict, err.value
    assert (LedgerItem.objects.count(), Target.objects.count(), existing.history.count()) == before


def test_an_unknown_category_is_refused_by_name():
    with pytest.raises(ValidationError) as err:
        category_resolve("火星移民")
    assert "火星移民" in str(err.value) and "category" in err.value.message_dict


def test_a_retired_category_is_refused(bob, category):
    category.is_active = False
    category.save()
    with pytest.raises(ValidationError) as err:
        create(bob, category)
    assert "category" in err.value.message_dict
