"""The supervisors' list, the units' list and the order page, as each role sees them."""

import pytest
from django.urls import reverse

from shishi.supervision.models import OrderStatus, SupervisionOrder
from shishi.supervision.sweeps import sweep_escalate_overdue

pytestmark = pytest.mark.django_db

ORDERS = reverse("supervision:orders")
TO_ANSWER = reverse("supervision:to_answer")


@pytest.fixture
def order(overdue_item, erin):
    sweep_escalate_overdue()
    return SupervisionOrder.objects.get()


@pytest.mark.parametrize("url", [ORDERS, TO_ANSWER])
def test_anonymous_visitors_are_sent_to_log_in(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", ["alice", "bob", "carol", "dave"])
def test_only_supervisors_see_the_supervisors_list(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(ORDERS).status_code == 403


@pytest.mark.parametrize("who", ["alice", "bob", "erin"])
def test_only_answerers_see_the_list_to_answer(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(TO_ANSWER).status_code == 403


def test_the_supervisor_sees_her_orders(client, order, erin, frank):
    client.force_login(erin)
    response = client.get(ORDERS)
    assert list(response.context["page"].object_list) == [order]
    assert order.number in response.content.decode()
    client.force_login(frank)
    assert list(client.get(ORDERS).context["page"].object_list) == []


def test_closed_orders_show_when_asked(client, order, erin):
    # A fixture shortcut, not the lifecycle.
    SupervisionOrder.objects.filter(pk=order.pk).update(status=OrderStatus.CLOSED, answer="")
    client.force_login(erin)
    assert list(client.get(ORDERS).context["page"].object_list) == []
    assert list(client.get(ORDERS, {"page": "1"}).context["page"].object_list) == []
    assert list(client.get(ORDERS, {"status": "closed"}).context["page"].object_list) == [order]
    assert list(client.get(ORDERS, {"status": ""}).context["page"].object_list) == [order]


def test_the_unit_and_the_owner_see_the_order_to_answer_and_others_do_not(
    client, order, carol, dave, hank
):
    for who in (carol, dave):
        client.force_login(who)
        assert list(client.get(TO_ANSWER).context["page"].object_list) == [order]
    client.force_login(hank)
    assert list(client.get(TO_ANSWER).context["page"].object_list) == []
    assert client.get(reverse("supervision:order", args=[order.pk])).status_code == 404


def test_the_unit_answers_on_the_order_page(client, order, carol):
    client.force_login(carol)
    page = client.get(reverse("supervision:order", args=[order.pk]))
    assert page.status_code == 200
    assert set(page.context["forms"]) == {"answer"}
    response = client.post(
        reverse("supervision:answer", args=[order.pk]), {"answer-answer": "月底前完成"}
    )
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.ANSWERED
    assert order.answer == "月底前完成"


def test_an_empty_answer_is_shown_again_with_the_error(client, order, carol):
    client.force_login(carol)
    response = client.post(reverse("supervision:answer", args=[order.pk]), {"answer-answer": ""})
    assert response.status_code == 200
    assert response.context["forms"]["answer"].errors
    order.refresh_from_db()
    assert order.status == OrderStatus.ISSUED


def test_a_handler_of_another_unit_cannot_answer(client, order, hank):
    client.force_login(hank)
    response = client.post(reverse("supervision:answer", args=[order.pk]), {"answer-answer": "x"})
    assert response.status_code == 404


def test_the_supervisor_closes_on_the_order_page(client, order, carol, erin):
    client.force_login(carol)
    client.post(reverse("supervision:answer", args=[order.pk]), {"answer-answer": "已完成"})
    assert client.post(reverse("supervision:close", args=[order.pk]), {}).status_code == 403
    client.force_login(erin)
    page = client.get(reverse("supervision:order", args=[order.pk]))
    assert set(page.context["forms"]) == {"send_back", "close"}
    response = client.post(reverse("supervision:close", args=[order.pk]), {"close-note": ""})
    assert response.status_code == 302
    order.refresh_from_db()
    assert order.status == OrderStatus.CLOSED


def test_another_supervisor_may_read_but_not_decide(client, order, carol, frank):
    client.force_login(carol)
    client.post(reverse("supervision:answer", args=[order.pk]), {"answer-answer": "已完成"})
    client.force_login(frank)
    page = client.get(reverse("supervision:order", args=[order.pk]))
    assert page.status_code == 200
    assert page.context["forms"] == {}
    response = client.post(reverse("supervision:close", args=[order.pk]), {"close-note": ""})
    assert response.status_code == 403


def test_the_menu_links_the_lists(client, order, erin, carol):
    client.force_login(erin)
    assert f'href="{ORDERS}"' in client.get(ORDERS).content.decode()
    client.force_login(carol)
    html = client.get(TO_ANSWER).content.decode()
    assert f'href="{TO_ANSWER}"' in html and f'href="{ORDERS}"' not in html


def test_list_queries_do_not_grow_with_rows(
    client, make_item, dave, district, erin, carol, django_assert_max_num_queries
):
    from shishi.ledger.services import item_claim

    from .conftest import make_overdue

    def add_overdue(n):
        for i in range(n):
            item = item_claim(
                item=make_item(title=f"事项{n}-{i}"), actor=dave, lead_unit=district["education"]
            )
            make_overdue(item)
        sweep_escalate_overdue()

    add_overdue(1)
    for who, url in ((erin, ORDERS), (carol, TO_ANSWER)):
        client.force_login(who)
        client.get(url)  # warm the session and permission caches
        with django_assert_max_num_queries(15) as few:
            client.get(url)
        add_overdue(5)
        with django_assert_max_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert len(response.context["page"].object_list) > 1
