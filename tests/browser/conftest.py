"""Browser tests: Playwright for Python driving Debian's chromium (never a
downloaded browser) against pytest-django's live server. Screenshots of each
main page at 1280 px and 375 px go into one folder, named at the end of the run."""

import datetime as dt
import os
import shutil
from pathlib import Path

import pytest
from django.db import connections

CHROMIUM = os.environ.get("SHISHI_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
WIDTHS = {"desktop": 1280, "phone": 375}

# Playwright's sync API runs an event loop in this thread; the tests still use
# the ORM synchronously between browser steps, which Django allows only on request.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no chromium at {CHROMIUM} (apt-get install chromium)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    base = os.environ.get("SHISHI_SCREENSHOT_DIR")
    stamp = dt.datetime.now().astimezone().strftime("%Y%m%d-%H%M%S")
    folder = (
        Path(base)
        if base
        else Path(os.environ.get("SHISHI_DATA_DIR", "data")) / (f"screenshots-{stamp}")
    )
    folder.mkdir(parents=True, exist_ok=True)
    _SCREENSHOT_DIRS.append(folder)
    return folder


_SCREENSHOT_DIRS: list[Path] = []


def pytest_terminal_summary(terminalreporter):
    for folder in _SCREENSHOT_DIRS:
        count = len(list(folder.glob("*.png")))
        terminalreporter.write_line(f"browser screenshots ({count}): {folder.resolve()}")


@pytest.fixture
def browser():
    # One per test, not per session: while Playwright's event loop runs, Django
    # keeps database handles per async context, so the tests after a
    # session-long browser would get fresh connections that know nothing of
    # the test database's saved state (serialized_rollback would restore nothing).
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()
        # The test's queries opened connections of their own (see above): close
        # them while their context lives, or PostgreSQL cannot drop the test database.
        connections.close_all()


@pytest.fixture
def shoot(screenshot_dir, browser, live_server):
    """shoot(page_or_path, name): a full-page screenshot at each width. Given a
    path, opens it in a fresh context (with the cookies of `page` when given)."""

    def take(page, name: str) -> None:
        url = page.url
        state = page.context.storage_state()
        for label, width in WIDTHS.items():
            context = browser.new_context(
                viewport={"width": width, "height": 900}, storage_state=state, locale="zh-CN"
            )
            other = context.new_page()
            other.goto(url)
            other.screenshot(path=screenshot_dir / f"{name}-{label}.png", full_page=True)
            context.close()

    return take
