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
