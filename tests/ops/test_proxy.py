"""Behind the TLS proxy every request comes from the proxy's address: the
per-address limits must use the client's, as the proxy reports it, and only
when the installation says a proxy is there."""

import pytest
from django.test import RequestFactory

from shishi.ops.proxy import client_address


def test_the_proxy_s_x_real_ip_counts_only_behind_a_proxy(settings):
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="203.0.113.7")
    settings.SHISHI_BEHIND_PROXY = False
    assert client_address(request) == "127.0.0.1"  # a client could have written the header
    settings.SHISHI_BEHIND_PROXY = True
    assert client_address(request) == "203.0.113.7"
    bare = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")
    assert client_address(bare) == "127.0.0.1"


@pytest.mark.django_db
def test_behind_the_proxy_one_client_s_guesses_do_not_lock_out_another(client, settings, alice):
    settings.SHISHI_BEHIND_PROXY = True
    settings.SHISHI_LOGIN_ADDRESS_FAILURE_LIMIT = 5
    for n in range(6):
        client.post(
            "/accounts/login/",
            {"username": f"guess{n}", "password": "x"},
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_REAL_IP="203.0.113.7",
        )
    locked = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw-alice-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="203.0.113.7",
    )
    assert locked.status_code == 429
    other = client.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw-alice-1"},
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_REAL_IP="198.51.100.9",
    )
    assert other.status_code == 302
