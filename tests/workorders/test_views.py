"""The work-order pages: the centre dispatches and reviews, a unit works its
queue; who may open what; refusals shown on the page; a queue page costs the
same number of queries however many orders it lists."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from shishi.workorders import services
from shishi.workorders.models import CatalogueRule, ExtensionRequest, OrderStatus, WorkOrder

from .conftest import GOOD_REPLY


def test_dispatch_page_suggests_the_catalogue_unit_and_dispatches(
    client, bob, appeal, category, district
):
    CatalogueRule.objects.create(category=category, unit=district["transport"])
    client.force_login(bob)
    url = reverse("workorders:dispatch", args=[appeal.tracking_number])
    page = client.get(url)
    assert page.status_code == 200
    assert "dispatch catalogue" in page.text and "区城建局" in page.text
    assert page.context["form"].initial["unit"] == district["transport"].pk
    done = client.post(url, {"unit": district["transport"].pk})
    order = WorkOrder.objects.get()
    assert done.status_code == 302 and done.url == reverse("workorders:order", args=[order.number])
    assert order.unit == district["transport"]


def test_dispatch_to_an_inactive_unit_shows_why(client, bob, appeal, district):
    unit = district["transport"]
    client.force_login(bob)
    form_page = client.get(reverse("workorders:dispatch", args=[appeal.tracking_number]))
    assert form_page.status_code == 200
    unit.is_active = False
    unit.save()
    page = client.post(
        reverse("workorders:dispatch", args=[appeal.tracking_number]), {"unit": unit.pk}
    )
    # The form's menu no longer offers it; nothing stored either way.
    assert page.status_code == 200 and page.context["form"].errors
    assert not WorkOrder.objects.exists()


def test_handlers_do_not_dispatch(client, carol, appeal):
    client.force_login(carol)
    url = reverse("workorders:dispatch", args=[appeal.tracking_number])
    assert client.get(url).status_code == 403


def test_the_unit_queue_signs_and_replies(client, carol, order):
    client.force_login(carol)
    queue = client.get(reverse("workorders:queue"))
    assert queue.status_code == 200 and order.number in queue.text
    assert dict((n, c) for n, _label, c in queue.context["tabs"])["to_sign"] == 1
    page = client.get(reverse("workorders:order", args=[order.number]))
    assert [a.name for a, _f in page.context["actions"]] == ["sign", "return"]
    assert client.post(reverse("workorders:sign", args=[order.number])).status_code == 302
    refused = client.post(reverse("workorders:reply", args=[order.number]), {"reply": "已收悉"})
    assert refused.status_code == 200 and "says nothing" in refused.text
    done = client.post(reverse("workorders:reply", args=[order.number]), {"reply": GOOD_REPLY})
    assert done.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.REPLIED


def test_a_second_sign_on_the_page_says_who_signed(client, cora, signed):
    client.force_login(cora)
    page = client.post(reverse("workorders:sign", args=[signed.number]))
    assert page.status_code == 200
    assert "already signed for by 卡罗尔" in page.text


def test_another_unit_cannot_see_or_act(client, hank, order):
    client.force_login(hank)
    assert client.get(reverse("workorders:order", args=[order.number])).status_code == 403
    assert client.post(reverse("workorders:sign", args=[order.number])).status_code == 403
    queue = client.get(reverse("workorders:queue"))
    assert order.number not in queue.text


def test_residents_see_no_work_orders(client, alice, order):
    client.force_login(alice)
    assert client.get(reverse("workorders:queue")).status_code == 403
    assert client.get(reverse("workorders:centre")).status_code == 403


def test_return_without_a_reason_is_refused_on_the_page(client, carol, order):
    client.force_login(carol)
    page = client.post(reverse("workorders:return", args=[order.number]), {"reason": ""})
    assert page.status_code == 200 and "must not be empty" in page.text
    order.refresh_from_db()
    assert order.status == OrderStatus.DISPATCHED


def test_the_centre_lists_and_decides(client, bob, carol, replied, make_appeal, district):
    other = services.order_dispatch(appeal=make_appeal(), unit=district["education"], actor=bob)
    services.order_sign(order=other, actor=carol)
    services.order_extension_request(
        order=other, actor=carol, reason="需协调", new_due=other.due_at + dt.timedelta(days=1)
    )
    client.force_login(bob)
    review = client.get(reverse("workorders:centre") + "?tab=review")
    assert replied.number in review.text
    extensions = client.get(reverse("workorders:centre") + "?tab=extensions")
    assert other.number in extensions.text
    done = client.post(reverse("workorders:decide", args=[other.number]), {"approve": "1"})
    assert done.status_code == 302
    assert ExtensionRequest.objects.get().status == "approved"
    done = client.post(reverse("workorders:review", args=[replied.number]), {"accept": "1"})
    assert done.status_code == 302
    replied.refresh_from_db()
    assert replied.status == OrderStatus.CLOSED


def test_the_centre_redispatches_a_returned_order(client, bob, carol, order, district):
    services.order_return(order=order, actor=carol, reason="不属我局职责")
    client.force_login(bob)
    assert order.number in client.get(reverse("workorders:centre") + "?tab=returned").text
    done = client.post(
        reverse("workorders:redispatch", args=[order.number]), {"unit": district["transport"].pk}
    )
    new = WorkOrder.objects.get(previous=order)
    assert done.url == reverse("workorders:order", args=[new.number])


def test_the_queue_exports_what_it_shows(client, carol, order):
    client.force_login(carol)
    response = client.get(reverse("workorders:queue_export") + "?tab=to_sign&format=csv")
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "工单编号" in body and order.number in body
    xlsx = client.get(reverse("workorders:queue_export") + "?tab=to_sign")
    assert xlsx.status_code == 200


def _queue_queries(client) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("workorders:queue") + "?tab=to_sign").status_code == 200
    return len(queries)


def test_queue_queries_do_not_grow_with_its_rows(client, carol, bob, make_appeal, district):
    client.force_login(carol)
    services.order_dispatch(appeal=make_appeal(), unit=district["education"], actor=bob)
    few = _queue_queries(client)
    for _ in range(8):
        services.order_dispatch(appeal=make_appeal(), unit=district["education"], actor=bob)
    assert _queue_queries(client) == few


def test_open311_names_the_handling_unit_and_follows_the_order(client, signed):
    page = client.get(
        "/open311/v2/requests.json", {"service_request_id": signed.appeal.tracking_number}
    )
    assert page.status_code == 200
    row = page.json()[0]
    assert row["agency_responsible"] == "区教育局"
    assert row["status"] == "open"
    assert "区教育局" in row["status_notes"] and "in hand" in row["status_notes"]


def test_the_pages_speak_chinese_by_default(client, settings, carol, order):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(carol)
    page = client.get(reverse("workorders:queue"))
    assert "本单位工单" in page.text and "待签收" in page.text
    detail = client.get(reverse("workorders:order", args=[order.number]))
    assert "签收" in detail.text and "退单" in detail.text
