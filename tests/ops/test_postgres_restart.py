"""Issue 18: on PostgreSQL, after a restart every reused connection failed once
(CONN_MAX_AGE without CONN_HEALTH_CHECKS). Here the server side of this
process's connection is terminated, as a restart does, and the next request
must succeed. Runs when the tests run on PostgreSQL (DATABASE_URL)."""

import pytest
from django.db import close_old_connections, connection

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def on_postgres():
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (set DATABASE_URL)")


def _terminate_this_connection():
    import psycopg

    connection.ensure_connection()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_the_next_request_after_a_terminated_connection_succeeds(on_postgres, client, settings):
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0
    assert client.get("/open311/v2/services.json").status_code == 200
    for _round in range(3):
        _terminate_this_connection()
        # What Django does when a request starts (the test client skips it).
        close_old_connections()
        response = client.get(f"/open311/v2/services.json?round={_round}")
        assert response.status_code == 200, response.content[:200]
        close_old_connections()
