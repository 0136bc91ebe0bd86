"""`shishi stats --json` key work_orders and the per-unit figures, counted
from the rows."""

import datetime as dt
import json
from io import StringIO

from django.core.management import call_command
from django.utils import timezone

from shishi.workorders import services
from shishi.workorders.figures import unit_figures

from .conftest import GOOD_REPLY


def _stats() -> dict:
    out = StringIO()
    call_command("stats", "--json", stdout=out)
    return json.loads(out.getvalue())


def test_stats_counts_work_orders_by_state(bob, carol, hank, make_appeal, district):
    education, transport = district["education"], district["transport"]
    waiting = services.order_dispatch(appeal=make_appeal(), unit=education, actor=bob)
    returned = services.order_dispatch(appeal=make_appeal(), unit=education, actor=bob)
    services.order_return(order=returned, actor=carol, reason="不属我局")
    moved = services.order_redispatch(order=returned, unit=transport, actor=bob)
    services.order_sign(order=moved, actor=hank)
    services.order_extension_decide(
        request=services.order_extension_request(
            order=moved, actor=hank, reason="需协调", new_due=moved.due_at + dt.timedelta(hours=4)
        ),
        actor=bob,
        approve=True,
    )
    services.order_reply(order=moved, actor=hank, reply=GOOD_REPLY)
    services.order_review(order=moved, actor=bob, accept=True)
    services.order_followup_record(order=moved, actor=bob, result="dissatisfied")
    services.order_rehandle(order=moved, actor=bob, reason="仍未解决")
    figures = _stats()["work_orders"]
    assert figures == {
        "dispatched": 1,
        "signed": 1,
        "replied": 0,
        "closed": 0,
        "returned": 1,
        "reassigned": 1,
        "cancelled": 0,
        "extended": 1,
        "rehandled": 1,
        "rated": 1,
    }
    # `returned` is both a state (0 waiting now, after the re-dispatch) and the
    # running count: the running count wins the key, as the issue names it.
    assert waiting.status == "dispatched"
    out = StringIO()
    call_command("stats", stdout=out)
    assert "工单: 待签收 1" in out.getvalue()


def test_unit_figures_count_per_unit(bob, carol, make_appeal, district):
    education = district["education"]
    order = services.order_dispatch(appeal=make_appeal(), unit=education, actor=bob)
    services.order_sign(order=order, actor=carol)
    services.order_reply(order=order, actor=carol, reply=GOOD_REPLY)
    services.order_review(order=order, actor=bob, accept=True)
    services.order_followup_record(order=order, actor=bob, result="satisfied")
    now = timezone.now()
    figures = unit_figures(now - dt.timedelta(days=1), now + dt.timedelta(days=1))
    assert figures[education.pk] == {
        "unit__name": "区教育局",
        "dispatched": 1,
        "signed_in_time": 1,
        "closed": 1,
        "closed_in_time": 1,
        "returned": 0,
        "extended": 0,
        "rehandled": 0,
        "rated": 1,
        "satisfied": 1,
    }
