"""The closed loop in a real browser, as its users meet it: a resident files an
appeal and looks it up; a clerk triages it into a new item and opens it; a
leader claims it; a unit handler reports a week and submits it; a supervisor
settles it; the resident rates the result. Each main page is photographed at
1280 px and 375 px on the way (see conftest.py)."""

import re

import pytest

from shishi.intake.models import Appeal, AppealNotice, AppealStatus
from shishi.intake.rating_keys import notice_text
from shishi.ledger.models import FollowUp, ItemStatus, LedgerItem
from shishi.org.services import user_create

# The live server needs committed data; serialized_rollback restores what the
# migrations created (role groups, kind policies) after another transactional test.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"
TRACKING = re.compile(r"\d{6}-[2-9A-Z]{6}")


@pytest.fixture
def people(district):
    def person(username, role, units=()):
        return user_create(
            username=username, full_name=username, roles=[role], units=units, password=PASSWORD
        )

    return {
        "clerk": person("clerk", "clerk"),
        "leader": person("leader", "leader"),
        "handler": person("handler", "unit_handler", [district["education"]]),
        "supervisor": person("supervisor", "supervisor"),
    }


def submit(page, form_selector: str) -> None:
    """Press the submit button of the form that matches, and wait for the page it leads to."""
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def test_a_resident_s_appeal_goes_round_the_loop(browser, live_server, shoot, people, category):
    url = live_server.url

    def log_in(username: str):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        submit(page, "main form")
        assert "/accounts/login/" not in page.url, page.inner_text("main")
        return page

    # A resident without an account files an appeal and gets a tracking number.
    resident = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    resident.goto(f"{url}/appeals/new/")
    shoot(resident, "01-file-an-appeal")
    resident.fill("input[name=title]", "学校门口缺少人行横道")
    resident.fill("textarea[name=body]", "孩子上学要穿过马路，没有斑马线，很危险。")
    resident.select_option("select[name=category]", str(category.pk))
    resident.fill("input[name=address]", "建设路 12 号")
    resident.fill("input[name=submitter_phone]", "13800000000")
    submit(resident, "form:has(input[name=title])")
    number = TRACKING.search(resident.inner_text("main")).group(0)
    assert resident.url.endswith(f"/track/{number}/")
    shoot(resident, "02-tracking-after-filing")
    appeal = Appeal.objects.get(tracking_number=number)
    assert appeal.submitter_phone == "13800000000" and appeal.status == AppealStatus.RECEIVED

    # …and looks it up again later by that number.
    resident.goto(f"{url}/track/")
    resident.fill("input[name=number]", number.lower())
    submit(resident, "main form")
    assert resident.url.endswith(f"/track/{number}/")
    assert "13800000000" not in resident.content()  # contact data is never public

    # The clerk finds it in the intake queue and starts a new item from it.
    clerk = log_in("clerk")
    clerk.goto(f"{url}/intake/")
    shoot(clerk, "03-intake-queue")
    clerk.click(f"a:has-text('{number}')")
    assert "13800000000" in clerk.content()  # the clerk may call back
    shoot(clerk, "04-appeal-for-triage")
    with clerk.expect_navigation():
        clerk.click("a[href*='/intake/new-item/']")
    shoot(clerk, "05-new-item-from-appeals")
    clerk.select_option("select[name=kind]", "project")
    clerk.fill("input[name=title]", "建设路小学门口增设人行横道")
    clerk.fill("input[name=targets-0-name]", "人行横道")
    clerk.fill("input[name=targets-0-unit_of_measure]", "处")
    clerk.fill("input[name=targets-0-target_quantity]", "1")
    submit(clerk, "form:has(input[name=targets-0-name])")
    item = LedgerItem.objects.get(title="建设路小学门口增设人行横道")
    assert item.status == ItemStatus.DRAFT and clerk.url.endswith(f"/work/items/{item.number}/")
    submit(clerk, f"form[action$='/work/items/{item.number}/open/']")
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.ACCEPTED and appeal.item == item

    # A leader claims it for the education bureau.
    leader = log_in("leader")
    leader.goto(f"{url}/work/claims/")
    shoot(leader, "06-items-to-claim")
    leader.goto(f"{url}/work/items/{item.number}/claim/")
    leader.select_option("select[name=lead_unit]", label="区教育局")
    submit(leader, f"form[action$='/work/items/{item.number}/claim/']")
    item.refresh_from_db()
    assert item.status == ItemStatus.CLAIMED and item.owner == people["leader"]

    # The bureau's handler reports this week (all done) and submits it for verification.
    handler = log_in("handler")
    handler.goto(f"{url}/work/items/")
    shoot(handler, "07-my-items")
    handler.goto(f"{url}/work/items/{item.number}/report/")
    shoot(handler, "08-weekly-report")
    handler.fill("input[name=percent]", "100")
    handler.fill(f"input[name=actual_{item.targets.get().pk}]", "1")
    handler.fill("textarea[name=narrative]", "人行横道已施划完成，信号灯已安装。")
    submit(handler, "form:has(input[name=percent])")
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS and item.progress_reports.count() == 1
    handler.goto(f"{url}/work/items/{item.number}/")
    submit(handler, f"form[action$='/work/items/{item.number}/submit/']")
    item.refresh_from_db()
    assert item.status == ItemStatus.AWAITING_VERIFICATION

    # The supervisor verifies it on site and settles it.
    supervisor = log_in("supervisor")
    supervisor.goto(f"{url}/work/verification/")
    shoot(supervisor, "09-verification-queue")
    supervisor.goto(f"{url}/work/items/{item.number}/")
    shoot(supervisor, "10-item-for-the-supervisor")
    supervisor.fill(
        f"form[action$='/work/items/{item.number}/settle/'] textarea[name=evidence]",
        "现场核验：人行横道与信号灯均已投用。",
    )
    submit(supervisor, f"form[action$='/work/items/{item.number}/settle/']")
    item.refresh_from_db()
    assert item.status == ItemStatus.SETTLED and item.verifier == people["supervisor"]
    supervisor.goto(f"{url}/work/overdue/")
    shoot(supervisor, "11-overdue-list")
    supervisor.goto(f"{url}/dashboard/")
    shoot(supervisor, "12-dashboard")

    # The resident opens the link in the settlement notice and rates the result.
    notice = AppealNotice.objects.get(appeal=appeal, invites_rating=True)
    resident.goto(re.search(r"http\S+", notice_text(notice, site_url=url)).group(0))
    shoot(resident, "13-tracking-settled")
    resident.check("input[name=result][value=satisfied]")
    submit(resident, "form:has(input[name=result])")
    assert FollowUp.objects.get(appeal=appeal).result == "satisfied"

    # The public ledger and the item's public page show it.
    resident.goto(f"{url}/")
    shoot(resident, "14-public-ledger")
    resident.goto(f"{url}/items/{item.number}/")
    shoot(resident, "15-public-item")
    assert "建设路小学门口增设人行横道" in resident.inner_text("main")
