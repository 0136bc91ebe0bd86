"""Issue 18: every `make run` spent about 70 s in collectstatic, even when
nothing changed. `shishi init` collects only when the sources changed."""

import os
import time

import pytest

from shishi.ops.staticstamp import collectstatic_if_changed


@pytest.fixture
def own_static(settings, tmp_path):
    source = tmp_path / "src"
    (source / "shishi").mkdir(parents=True)
    (source / "shishi" / "extra.css").write_text("body{}", encoding="utf-8")
    settings.STATICFILES_DIRS = [source]
    settings.STATIC_ROOT = tmp_path / "static"
    return source / "shishi" / "extra.css"


def test_a_second_run_collects_nothing_until_a_source_changes(own_static, settings):
    assert collectstatic_if_changed() is True
    collected = settings.STATIC_ROOT / "shishi" / "extra.css"
    assert collected.read_text(encoding="utf-8") == "body{}"
    started = time.perf_counter()
    assert collectstatic_if_changed() is False
    assert time.perf_counter() - started < 5
    own_static.write_text("body{color:red}", encoding="utf-8")
    later = time.time() + 5
    os.utime(own_static, (later, later))
    assert collectstatic_if_changed() is True
    assert collected.read_text(encoding="utf-8") == "body{color:red}"
    assert collectstatic_if_changed() is False
