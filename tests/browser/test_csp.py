"""The Content-Security-Policy breaks nothing: the main pages, the admin and
the API docs load in chromium without a single CSP violation, and htmx runs."""

import pytest

from shishi.org.services import user_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"
PAGES = [
    "/",
    "/track/",
    "/appeals/new/",
    "/intake/",
    "/intake/hot/",
    "/work/claims/",
    "/work/verification/",
    "/dashboard/",
    "/reports/weekly/",
    "/reports/rates/",
    "/sheets/import/",
    "/admin/",
    "/admin/ledger/ledgeritem/",
    "/admin/org/user/add/",
    "/api/docs/",
    "/api/redoc/",
]


def test_no_page_violates_the_policy(browser, live_server, db):
    root = user_create(
        username="csp-root", full_name="根", roles=["administrator"], password=PASSWORD
    )
    root.is_staff = root.is_superuser = True
    root.save()
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    violations = []
    page.on(
        "console",
        lambda message: (
            violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text or "Refused to" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: violations.append(f"{page.url}: {error}"))
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "csp-root")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    for path in PAGES:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status < 400, (path, response.status)
        assert response.headers.get("content-security-policy"), path
        page.wait_for_load_state("networkidle")
        if path in ("/", "/intake/"):
            assert page.evaluate("typeof htmx") == "object", path
    # Redoc's bundle reaches for its logo on its CDN: the policy blocking that
    # is the point (nothing is loaded from outside the site).
    violations = [v for v in violations if "https://cdn.redoc.ly/" not in v]
    assert violations == []
