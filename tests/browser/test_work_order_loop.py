"""接诉即办 in a real browser, the whole loop of issue 14 as its users meet it:
a clerk records a call on the hotline page and dispatches it; the unit it went
to returns it as not theirs; the centre re-dispatches it; the right unit signs
for it, asks for more time and gets it, and replies; the centre accepts the
reply; the resident rates it through the link in their notice, 不满意; the
centre sends it back to the same unit (重办); the unit replies again, the
centre accepts, and the resident rates again. Pages are photographed on the way."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from shishi.intake.models import Appeal, AppealNotice
from shishi.intake.rating_keys import notice_text
from shishi.org.services import user_create
from shishi.workorders.models import OrderFollowUp, WorkOrder
from shishi.workorders.services import extension_max_due

pytestmark = [
    pytest.mark.browser,
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

PASSWORD = "browser-pass-2026"
TRACKING = re.compile(r"\d{6}-[2-9A-Z]{6}")


def submit(page, form_selector: str) -> None:
    with page.expect_navigation():
        page.locator(form_selector).locator("button[type=submit]").first.click()


def test_a_call_goes_round_the_work_order_loop(browser, live_server, shoot, district):
    url = live_server.url
    for username, role, units in [
        ("clerk", "clerk", []),
        ("carol", "unit_handler", [district["education"]]),
        ("hank", "unit_handler", [district["transport"]]),
    ]:
        user_create(
            username=username, full_name=username, roles=[role], units=units, password=PASSWORD
        )

    def log_in(username: str):
        page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        page.goto(f"{url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        submit(page, "main form")
        assert "/accounts/login/" not in page.url, page.inner_text("main")
        return page

    def act(page, order: WorkOrder, action: str, fill=None) -> None:
        page.goto(f"{url}/orders/{order.number}/")
        form = f"form[action$='/orders/{order.number}/{action}/']"
        for selector, value in (fill or {}).items():
            if selector.startswith("radio:"):
                page.check(f"{form} {selector[6:]}")
            elif selector.startswith("select:"):
                page.select_option(f"{form} {selector[7:]}", value)
            else:
                page.fill(f"{form} {selector}", value)
        submit(page, form)
        assert page.locator(".form-errors").count() == 0, page.inner_text("main")

    def current() -> WorkOrder:
        return WorkOrder.objects.filter(appeal=appeal).order_by("-pk").first()

    def rate(result: str) -> None:
        notice = AppealNotice.objects.filter(appeal=appeal, invites_rating=True).latest("pk")
        link = re.search(r"http\S+", notice_text(notice, site_url=url)).group(0)
        resident = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        resident.goto(link)
        shoot(resident, f"orders-rate-{result}")
        resident.check(f"input[name=result][value={result}]")
        submit(resident, "form:has(input[name=result])")

    # 话务受理: the clerk records a call in one page.
    clerk = log_in("clerk")
    clerk.goto(f"{url}/intake/hotline/")
    clerk.fill("input[name=submitter_name]", "王先生")
    clerk.fill("input[name=submitter_phone]", "13800001234")
    clerk.fill("input[name=address]", "建设路小学东门")
    clerk.fill(
        "textarea[name=body]", "建设路小学东门的路灯坏了一周，晚上接孩子很不安全，请尽快修好。"
    )
    shoot(clerk, "orders-01-hotline")
    with clerk.expect_navigation():
        clerk.click("#hotline-form button:not([name])")
    number = TRACKING.search(clerk.inner_text(".messages")).group(0)
    appeal = Appeal.objects.get(tracking_number=number)

    # 派单: to the construction bureau, which is not the right unit.
    clerk.goto(f"{url}/orders/dispatch/{number}/")
    shoot(clerk, "orders-02-dispatch")
    clerk.select_option("select[name=unit]", str(district["transport"].pk))
    submit(clerk, "main form:has(select[name=unit])")
    first = current()
    assert first.unit == district["transport"] and first.status == "dispatched"

    # 退单: the construction bureau returns it, with its reason.
    hank = log_in("hank")
    hank.goto(f"{url}/orders/")
    shoot(hank, "orders-03-unit-queue")
    act(
        hank,
        first,
        "return",
        {"textarea[name=reason]": "校园周边路灯由教育局负责维护，非我单位职责。"},
    )
    first.refresh_from_db()
    assert first.status == "returned" and "教育局" in first.return_reason

    # 转派: the centre sends it to the education bureau.
    clerk.goto(f"{url}/orders/centre/?tab=returned")
    shoot(clerk, "orders-04-centre-returned")
    act(
        clerk,
        first,
        "redispatch",
        {
            "select:select[name=unit]": str(district["education"].pk),
            "input[name=reason]": "按职责转教育局办理",
        },
    )
    order = current()
    assert order.pk != first.pk and order.unit == district["education"]

    # 签收, then 延期申请 within the policy's maximum, approved by the centre.
    carol = log_in("carol")
    act(carol, order, "sign")
    order.refresh_from_db()
    assert order.status == "signed" and order.signed_at is not None
    new_due = min(order.due_at + dt.timedelta(days=1), extension_max_due(order))
    act(
        carol,
        order,
        "extend",
        {
            "input[name=new_due]": timezone.localtime(new_due).strftime("%Y-%m-%dT%H:%M"),
            "textarea[name=reason]": "需要采购灯具，到货需要时间。",
        },
    )
    act(clerk, order, "decide", {"radio:input[name=approve][value='1']": ""})
    order.refresh_from_db()
    assert order.extension_count == 1

    # 办结: the reply, reviewed and accepted by the centre.
    act(
        carol,
        order,
        "reply",
        {
            "textarea[name=reply]": "已更换建设路小学东门两盏路灯的灯具并恢复照明，今后每月巡查一次。"
        },
    )
    shoot(carol, "orders-05-replied")
    act(clerk, order, "review", {"radio:input[name=accept][value='1']": ""})
    order.refresh_from_db()
    assert order.status == "closed"

    # 回访: the resident, through the link in their notice, is not satisfied.
    rate("dissatisfied")
    assert OrderFollowUp.objects.get(order=order).result == "dissatisfied"

    # 重办: the centre sends it back to the same unit.
    act(clerk, order, "rehandle", {"textarea[name=reason]": "居民反映路灯夜间仍时亮时灭。"})
    order.refresh_from_db()
    assert (
        order.status == "signed"
        and order.rehandle_count == 1
        and order.unit == district["education"]
    )

    act(
        carol,
        order,
        "reply",
        {"textarea[name=reply]": "已更换线路接头并重新检测，两盏路灯夜间连续照明正常。"},
    )
    act(clerk, order, "review", {"radio:input[name=accept][value='1']": ""})
    rate("satisfied")
    results = list(
        OrderFollowUp.objects.filter(order=order).order_by("pk").values_list("result", flat=True)
    )
    assert results == ["dissatisfied", "satisfied"]
