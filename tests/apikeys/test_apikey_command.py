import io

import pytest
from django.core.management import CommandError, call_command

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_check

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    # The messages checked below are the English ones (the command speaks the
    # site's language).
    settings.LANGUAGE_CODE = "en"


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("apikey", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_key_once_then_list_and_revoke():
    out, err = run("create", "--name", "城市App", "--rate", "30")
    raw = out.strip()
    assert apikey_check(raw).name == "城市App"
    assert "only now" in err
    listing, _ = run("list")
    assert "城市App" in listing and "30/min" in listing and "active" in listing
    assert raw not in listing and raw.split(".")[1] not in listing
    run("revoke", "城市App")
    assert apikey_check(raw) is None
    assert "revoked" in run("list")[0]


def test_refusals_are_command_errors():
    run("create", "--name", "城市App")
    with pytest.raises(CommandError, match="already"):
        run("create", "--name", "城市App")
    with pytest.raises(CommandError, match="No API key"):
        run("revoke", "nobody")
    run("revoke", "城市App")
    with pytest.raises(CommandError, match="revoked already"):
        run("revoke", "城市App")
    assert ApiKey.objects.count() == 1
