"""Who may call the API at all: tokens and sessions, staff only, the limits
on how often, and the command that makes tokens."""

import pytest
from django.core.management import CommandError, call_command

from shishi.api.models import ApiToken
from shishi.api.services import api_token_create, token_hash

pytestmark = pytest.mark.django_db


def test_anonymous_callers_get_401_and_are_told_how_to_authenticate(anon):
    response = anon.get("/api/items/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_bad_token_is_401(anon):
    anon.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert anon.get("/api/units/").status_code == 401


def test_a_staff_token_opens_the_api(api, bob):
    assert api(bob).get("/api/units/").status_code == 200


def test_a_resident_is_refused_even_when_logged_in(api, alice):
    response = api(alice).get("/api/units/")
    assert response.status_code == 403
    assert "staff" in response.json()["detail"]


def test_a_deactivated_account_s_token_stops_working(api, bob):
    client = api(bob)
    bob.is_active = False
    bob.save()
    assert client.get("/api/units/").status_code == 401


def test_a_session_login_works_for_the_browsable_docs(bob, client):
    client.force_login(bob)
    assert client.get("/api/units/").status_code == 200


def test_a_new_token_replaces_the_old(api, bob, anon):
    old = api_token_create(user=bob)
    new = api_token_create(user=bob)
    assert old != new
    anon.credentials(HTTP_AUTHORIZATION=f"Token {old}")
    assert anon.get("/api/units/").status_code == 401
    anon.credentials(HTTP_AUTHORIZATION=f"Token {new}")
    assert anon.get("/api/units/").status_code == 200


def test_too_many_requests_get_429_with_retry_after(api, bob, settings):
    settings.SHISHI_API_USER_RATE = "3/minute"
    client = api(bob)
    codes = [client.get("/api/units/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = client.get("/api/units/")
    assert int(response["Retry-After"]) > 0


def test_anonymous_callers_have_their_own_limit(anon, settings):
    settings.SHISHI_API_ANON_RATE = "2/minute"
    codes = [anon.get("/api/units/").status_code for _ in range(3)]
    assert codes == [401, 401, 429]


def test_the_command_prints_a_token_once_and_revokes_it(bob, capsys):
    call_command("apitoken", "create", "--user", "bob")
    key = capsys.readouterr().out.strip()
    assert ApiToken.objects.get(user=bob).hashed_key == token_hash(key)
    call_command("apitoken", "revoke", "--user", "bob")
    assert not ApiToken.objects.filter(user=bob).exists()


def test_the_command_refuses_a_resident_and_an_unknown_user(alice):
    with pytest.raises(CommandError, match="not a staff account"):
        call_command("apitoken", "create", "--user", "alice")
    with pytest.raises(CommandError, match="No user"):
        call_command("apitoken", "create", "--user", "nobody")
    assert not ApiToken.objects.exists()


def test_a_service_s_refusals_become_400_and_403():
    from django.core.exceptions import PermissionDenied, ValidationError

    from shishi.api.base import service_exception_handler

    response = service_exception_handler(
        ValidationError({"__all__": ["两者冲突"], "note": ["太长"]}), {}
    )
    assert response.status_code == 400
    assert response.data == {"non_field_errors": ["两者冲突"], "note": ["太长"]}
    response = service_exception_handler(PermissionDenied("只有督办员可以"), {})
    assert (response.status_code, response.data["detail"]) == (403, "只有督办员可以")


def test_the_anonymous_limit_is_not_escaped_by_a_forged_x_forwarded_for(anon, settings):
    settings.SHISHI_API_ANON_RATE = "2/minute"
    codes = [
        anon.get("/api/units/", HTTP_X_FORWARDED_FOR=f"10.0.0.{n}").status_code for n in range(3)
    ]
    assert codes == [401, 401, 429]
