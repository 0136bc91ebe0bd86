import re

import pytest
from django.contrib.messages import get_messages

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_check, apikey_create

pytestmark = pytest.mark.django_db


def test_admin_creates_a_key_and_shows_it_once(administrator_client):
    response = administrator_client.post(
        "/admin/apikeys/apikey/add/", {"name": "市级平台", "rate_per_minute": "60"}
    )
    assert response.status_code == 302
    key = ApiKey.objects.get()
    text = " ".join(str(m.message) for m in get_messages(response.wsgi_request))
    [raw] = re.findall(r"[a-z0-9]{8}\.[-\w]{40,}", text)
    assert apikey_check(raw) == key
    assert key.rate_per_minute == 60
    # The redirect's page shows the message; after that the key is nowhere.
    administrator_client.get(f"/admin/apikeys/apikey/{key.pk}/change/")
    page = administrator_client.get(f"/admin/apikeys/apikey/{key.pk}/change/").content.decode()
    assert raw not in page and key.prefix in page


def test_admin_revokes_with_the_action(administrator_client):
    key, raw = apikey_create(name="市级平台")
    administrator_client.post(
        "/admin/apikeys/apikey/",
        {"action": "revoke", "_selected_action": [key.pk]},
    )
    assert apikey_check(raw) is None
