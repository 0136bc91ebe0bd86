"""The settings module's promises: no silent secret outside DEBUG, SQLite by default."""

import os
import subprocess
import sys

import pytest


def run_settings(env_overrides: dict[str, str], tmp_path) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "PYTEST_VERSION")
    }
    env.update({"SHISHI_DATA_DIR": str(tmp_path), **env_overrides})
    code = "import shishi.settings as s; print(s.DATABASES['default']['ENGINE'], s.TIME_ZONE, s.LANGUAGE_CODE)"
    return subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60
    )


def test_a_missing_secret_outside_debug_is_an_error(tmp_path):
    result = run_settings({}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_debug_runs_on_sqlite_in_the_data_folder(tmp_path):
    result = run_settings({"DEBUG": "1"}, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["django.db.backends.sqlite3", "Asia/Shanghai", "zh-hans"]
    assert tmp_path.is_dir()


def test_a_secret_file_is_read(tmp_path):
    (tmp_path / "secret_key").write_text("file-secret-" + "x" * 40)
    result = run_settings({}, tmp_path)
    assert result.returncode == 0, result.stderr


def test_database_url_selects_postgresql(tmp_path):
    result = run_settings(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u@db.invalid:5432/x"}, tmp_path
    )
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_bad_boolean_is_refused(tmp_path, value):
    result = run_settings({"DEBUG": value}, tmp_path)
    assert result.returncode != 0 and "DEBUG" in result.stderr


@pytest.mark.slow
def test_init_on_a_fresh_machine_writes_a_secret_and_migrates(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "PYTEST_VERSION")
    }
    env["SHISHI_DATA_DIR"] = str(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "shishi", "init"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    secret = tmp_path / "secret_key"
    assert len(secret.read_text()) >= 50 and secret.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "shishi.sqlite3").exists()
    # A second run keeps the same secret.
    before = secret.read_text()
    subprocess.run(
        [sys.executable, "-m", "shishi", "init"],
        env=env,
        capture_output=True,
        timeout=300,
        check=True,
    )
    assert secret.read_text() == before


def _settings_value(env: dict[str, str], tmp_path, expr: str) -> str:
    env_all = {
        k: v
        for k, v in os.environ.items()
        if k not in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "PYTEST_VERSION")
    }
    env_all.update({"SHISHI_DATA_DIR": str(tmp_path), "DEBUG": "1", **env})
    code = f"import shishi.settings as s; print({expr})"
    result = subprocess.run(
        [sys.executable, "-c", code], env=env_all, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_csrf_trusts_the_site_url_and_https_on_the_hosts(tmp_path):
    # Issue 18: behind the README's TLS proxy every POST failed CSRF unless
    # CSRF_TRUSTED_ORIGINS was set by hand.
    value = _settings_value(
        {
            "ALLOWED_HOSTS": "shishi.example.gov.cn",
            "SHISHI_SITE_URL": "https://shishi.example.gov.cn",
        },
        tmp_path,
        "s.CSRF_TRUSTED_ORIGINS",
    )
    assert value == "['https://shishi.example.gov.cn']"
    explicit = _settings_value(
        {"CSRF_TRUSTED_ORIGINS": "https://a.example"}, tmp_path, "s.CSRF_TRUSTED_ORIGINS"
    )
    assert explicit == "['https://a.example']"


def test_proxy_header_and_hsts_come_from_the_environment(tmp_path):
    value = _settings_value(
        {"SHISHI_BEHIND_PROXY": "1", "SHISHI_HSTS_SECONDS": "31536000"},
        tmp_path,
        "s.SECURE_PROXY_SSL_HEADER, s.SECURE_HSTS_SECONDS",
    )
    assert value == "('HTTP_X_FORWARDED_PROTO', 'https') 31536000"
    assert _settings_value({}, tmp_path, "hasattr(s, 'SECURE_PROXY_SSL_HEADER')") == "False"


def test_postgres_connections_are_health_checked(tmp_path):
    value = _settings_value(
        {"DATABASE_URL": "postgres://u@db.invalid:5432/x"},
        tmp_path,
        "s.DATABASES['default']['CONN_HEALTH_CHECKS'], s.DATABASES['default']['CONN_MAX_AGE']",
    )
    assert value == "True 60"


@pytest.mark.django_db
def test_a_post_through_the_tls_proxy_passes_csrf(settings, alice):
    # The recipe: nginx terminates TLS, forwards plain HTTP with
    # X-Forwarded-Proto: https and the Host; the browser sends Origin https://host.
    from django.test import Client

    from shishi.settings import _site_origins

    settings.ALLOWED_HOSTS = ["shishi.example.gov.cn"]
    settings.CSRF_TRUSTED_ORIGINS = _site_origins("https://shishi.example.gov.cn", [])
    browser = Client(enforce_csrf_checks=True, HTTP_HOST="shishi.example.gov.cn")
    proxy = {"HTTP_X_FORWARDED_PROTO": "https", "HTTP_ORIGIN": "https://shishi.example.gov.cn"}
    page = browser.get("/accounts/login/", **proxy)
    token = page.cookies["csrftoken"].value
    response = browser.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw-alice-1", "csrfmiddlewaretoken": token},
        **proxy,
    )
    assert response.status_code == 302
    # A page of another origin is still refused.
    forged = browser.post(
        "/accounts/login/",
        {"username": "alice", "password": "pw-alice-1", "csrfmiddlewaretoken": token},
        HTTP_X_FORWARDED_PROTO="https",
        HTTP_ORIGIN="https://evil.example",
    )
    assert forged.status_code == 403
