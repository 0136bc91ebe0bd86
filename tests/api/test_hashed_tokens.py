"""Issue 18: REST API tokens are stored as hashes, old clear tokens are
migrated, and the admin never lists a key."""

import importlib
import re

import pytest
from django.apps import apps as django_apps
from rest_framework.authtoken.models import Token

from shishi.api.models import ApiToken
from shishi.api.services import api_token_create, token_hash

pytestmark = pytest.mark.django_db


def test_the_database_never_holds_a_working_key(bob, anon):
    key = api_token_create(user=bob)
    stored = ApiToken.objects.get(user=bob)
    assert key not in {stored.hashed_key, stored.prefix}
    assert stored.hashed_key == token_hash(key)
    assert not Token.objects.exists()
    # Sending the stored hash as if it were the key opens nothing.
    anon.credentials(HTTP_AUTHORIZATION=f"Token {stored.hashed_key}")
    assert anon.get("/api/units/").status_code == 401
    anon.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert anon.get("/api/units/").status_code == 200


def test_the_migration_hashes_clear_tokens_and_old_keys_keep_working(bob, anon):
    clear = Token.objects.create(user=bob)
    migration = importlib.import_module("shishi.api.migrations.0002_hardening_hashed_tokens")
    migration.hash_existing(django_apps, None)
    assert not Token.objects.exists()
    assert ApiToken.objects.get(user=bob).hashed_key == token_hash(clear.key)
    anon.credentials(HTTP_AUTHORIZATION=f"Token {clear.key}")
    assert anon.get("/api/units/").status_code == 200


def test_the_admin_lists_no_keys_and_shows_a_new_one_once(administrator_client, bob):
    key = api_token_create(user=bob)
    page = administrator_client.get("/admin/api/apitoken/")
    assert page.status_code == 200
    assert str(bob) in page.content.decode()
    assert key not in page.content.decode()
    # DRF's own token admin (the clear keys) is gone.
    assert administrator_client.get("/admin/authtoken/tokenproxy/").status_code == 404
    response = administrator_client.post("/admin/api/apitoken/add/", {"user": bob.pk}, follow=True)
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    new_key = next(m[0] for text in shown if (m := re.search(r"[0-9a-f]{64}", text)))
    assert ApiToken.objects.get(user=bob).hashed_key == token_hash(new_key)
    listing = administrator_client.get("/admin/api/apitoken/").content.decode()
    assert new_key not in listing
