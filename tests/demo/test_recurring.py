"""The demo's hot issues hold one matter each, and its recurring matters (one
matter told by several residents in their own words) are found."""

from collections import Counter

import pytest
from django.core.cache import cache
from django.db import transaction
from django.test import override_settings
from django.utils import timezone

from shishi.demo import corpus
from shishi.demo.builder import DEFAULT_PASSWORD, DEFAULT_SEED, _Builder
from shishi.demo.clock import simulated_time
from shishi.suggestions import selectors

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def pks(issue) -> list[int]:
    return [pk for pk, _number, _title in issue.appeals]


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHERS),
        transaction.atomic(),
    ):
        savepoint = transaction.savepoint()
        builder = _Builder(seed=DEFAULT_SEED, password=DEFAULT_PASSWORD, now=timezone.now())
        with simulated_time(builder.clock):
            builder.build()
        cache.clear()
        matter = {p.obj.pk: p.slots["_matter"] for p in builder.appeals if p.obj is not None}
        issues, info = selectors.hot(days=3660)
        yield matter, issues, info
        transaction.savepoint_rollback(savepoint)


@pytest.mark.slow
@pytest.mark.django_db
def test_every_hot_issue_of_the_demo_holds_one_matter(built):
    matter, issues, info = built
    assert info["waiting"] > 50 and len(issues) >= len(corpus.RECURRING_MATTERS)
    mixed = [
        (issue.title, dict(Counter(matter[pk] for pk in pks(issue))))
        for issue in issues
        if len({matter[pk] for pk in pks(issue)}) > 1
    ]
    assert mixed == []


@pytest.mark.slow
@pytest.mark.django_db
def test_each_recurring_matter_is_one_hot_issue_titled_by_its_place(built):
    matter, issues, _ = built
    recurring = {key for key, _category, _street, _wordings in corpus.RECURRING_MATTERS}
    written = Counter(m for m in matter.values() if m in recurring)
    assert set(written) == recurring and min(written.values()) >= 4
    for key in recurring:
        holding = [i for i in issues if any(matter[pk] == key for pk in pks(i))]
        # One issue holds it (the purity test: nothing else), with most of its
        # residents: the pair model misses some wordings (recall about 0.7 a pair).
        assert len(holding) == 1, key
        assert written[key] >= holding[0].count >= 3 and holding[0].residents >= 3
    lights = next(i for i in issues if matter[pks(i)[0]] == "tongbai_lights")
    assert "桐柏路" in lights.title and "路灯" in lights.title
