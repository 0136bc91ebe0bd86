"""The three rates count work orders for the unit that handles them."""

import datetime as dt

from django.utils import timezone

from shishi.reports.rates import rates_report
from shishi.workorders import services

from .conftest import GOOD_REPLY


def test_rates_count_work_orders_for_their_unit(bob, carol, make_appeal, district):
    education = district["education"]
    good = services.order_dispatch(appeal=make_appeal(), unit=education, actor=bob)
    services.order_sign(order=good, actor=carol)
    services.order_reply(order=good, actor=carol, reply=GOOD_REPLY)
    services.order_review(order=good, actor=bob, accept=True)
    services.order_followup_record(order=good, actor=bob, result="satisfied")
    bad = services.order_dispatch(appeal=make_appeal(), unit=education, actor=bob)
    services.order_sign(order=bad, actor=carol)
    services.order_reply(order=bad, actor=carol, reply=GOOD_REPLY)
    services.order_review(order=bad, actor=bob, accept=True)
    services.order_followup_record(order=bad, actor=bob, result="dissatisfied")
    services.order_rehandle(order=bad, actor=bob, reason="仍未解决")
    today = timezone.localdate()
    report = rates_report(today - dt.timedelta(days=1), today)
    row = next(r for r in report.units if r.unit_id == education.pk)
    assert (row.rates["response"].numerator, row.rates["response"].denominator) == (2, 2)
    # The re-handled one is back at work: answered, but not resolved.
    assert (row.rates["resolution"].numerator, row.rates["resolution"].denominator) == (1, 2)
    assert (row.rates["satisfaction"].numerator, row.rates["satisfaction"].denominator) == (1, 2)


def test_the_weekly_bulletin_has_the_units_work_orders(bob, carol, make_appeal, district):
    from shishi.reports.weekly import bulletin_figures, bulletin_render

    order = services.order_dispatch(appeal=make_appeal(), unit=district["education"], actor=bob)
    services.order_sign(order=order, actor=carol)
    services.order_return(order=order, actor=carol, reason="不属我局")
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    bulletin = bulletin_figures(monday)
    (row,) = bulletin.work_orders
    assert row["unit"] == "区教育局" and row["dispatched"] == 1 and row["returned"] == 1
    html = bulletin_render(monday, "html").decode()
    assert "工单办理情况" in html and "区教育局" in html


def test_the_dashboard_shows_work_orders(client, bob, carol, make_appeal, district):
    order = services.order_dispatch(appeal=make_appeal(), unit=district["education"], actor=bob)
    services.order_sign(order=order, actor=carol)
    client.force_login(bob)
    page = client.get("/dashboard/")
    assert page.status_code == 200
    assert page.context["work_orders"]["units"][0]["unit"] == "区教育局"
    assert "Work orders by state" in page.text
