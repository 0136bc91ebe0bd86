import hashlib

import pytest
from django.core.exceptions import ValidationError

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_check, apikey_create, apikey_revoke

pytestmark = pytest.mark.django_db


def test_a_key_is_stored_only_as_a_hash(settings):
    key, raw = apikey_create(name="城市App")
    prefix, _secret = raw.split(".", 1)
    assert key.prefix == prefix and len(prefix) == 8
    assert key.hashed_key == hashlib.sha256(raw.encode()).hexdigest()
    stored = ApiKey.objects.values_list(flat=True)
    assert not any(raw in str(v) for row in ApiKey.objects.values() for v in row.values())
    assert stored.count() == 1
    assert key.rate_limit == settings.SHISHI_API_KEY_RATE_PER_MINUTE


def test_check_accepts_the_key_and_nothing_else():
    key, raw = apikey_create(name="城市App", rate_per_minute=5)
    assert apikey_check(raw) == key
    assert apikey_check(raw + "x") is None
    assert apikey_check(raw.split(".")[0] + ".guess") is None
    assert apikey_check("") is None
    assert apikey_check("no-dot") is None
    assert apikey_check("x" * 500) is None


def test_revoked_key_is_refused_and_cannot_be_revoked_twice():
    key, raw = apikey_create(name="城市App")
    apikey_revoke(key=key)
    assert apikey_check(raw) is None
    with pytest.raises(ValidationError):
        apikey_revoke(key=key)
    assert key.history.first().history_change_reason == "revoked"


@pytest.mark.parametrize(("name", "rate"), [("", None), ("城市App", 0), ("城市App", -3)])
def test_bad_input_is_refused(name, rate):
    with pytest.raises(ValidationError):
        apikey_create(name=name, rate_per_minute=rate)
    assert not ApiKey.objects.exists()


def test_names_are_unique():
    apikey_create(name="城市App")
    with pytest.raises(ValidationError):
        apikey_create(name="城市App")


def test_a_revocation_in_another_process_is_effective_within_a_second():
    # Issue 18: another server process revokes the key; its cache deletion does
    # not reach this process's memory cache, which had just checked the key.
    import datetime as dt

    import time_machine
    from django.utils import timezone

    key, raw = apikey_create(name="城市App")
    with time_machine.travel(timezone.now(), tick=False) as clock:
        assert apikey_check(raw) == key  # cached here
        ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
        clock.shift(dt.timedelta(seconds=1.1))
        assert apikey_check(raw) is None
