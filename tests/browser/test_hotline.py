"""话务受理 in a real browser: a clerk records a call; the suggestions block
follows the text as it is typed (htmx), and the tracking number comes back."""

import re

import pytest

from shishi.intake.models import Appeal, Channel
from shishi.org.services import user_create

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"
TRACKING = re.compile(r"\d{6}-[2-9A-Z]{6}")


def test_a_clerk_records_a_call_in_one_page(browser, live_server, shoot, district):
    user_create(username="clerk", full_name="受理员", roles=["clerk"], password=PASSWORD)
    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN").new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "clerk")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()

    page.goto(f"{live_server.url}/intake/hotline/")
    assert "话务受理" in page.inner_text("h1")
    placeholder = page.inner_text("#hotline-suggestions")
    page.check("input[name=channel][value=walk_in]")
    page.fill("input[name=submitter_name]", "王先生")
    page.fill("input[name=submitter_phone]", "13800001234")
    page.select_option("select[name=community]", str(district["community"].pk))
    page.fill("input[name=address]", "建设路12号")
    # Typing sends the text to the suggestions (htmx), which replace the block.
    page.locator("textarea[name=body]").press_sequentially("建设路12号门口路灯不亮已经一周")
    page.wait_for_function(
        "text => document.querySelector('#hotline-suggestions').innerText !== text",
        arg=placeholder,
    )
    assert not Appeal.objects.exists()  # suggesting stores nothing
    shoot(page, "hotline-01-typing")
    with page.expect_navigation():
        page.click("button:not([name]):has-text('登记诉求')")
    number = TRACKING.search(page.inner_text(".messages")).group(0)
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.channel == Channel.WALK_IN and appeal.acknowledged_at is not None
    assert appeal.submitter_phone == "13800001234"
    # The form is empty again for the next call.
    assert page.input_value("textarea[name=body]") == ""
    shoot(page, "hotline-02-recorded")
