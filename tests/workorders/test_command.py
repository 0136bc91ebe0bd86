"""`shishi order …` runs the loop through the services and turns refusals
into clear errors."""

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from shishi.workorders.models import OrderStatus, WorkOrder

from .conftest import GOOD_REPLY


def order_cmd(*args):
    out = StringIO()
    call_command("order", *args, stdout=out, stderr=StringIO())
    return out.getvalue()


def test_the_loop_from_the_command_line(appeal, bob, carol, district):
    out = order_cmd("dispatch", appeal.tracking_number, "--user", "bob", "--unit", "区教育局")
    number = out.split("\t")[0]
    assert number == f"{appeal.tracking_number}-1"
    order_cmd("sign", number, "--user", "carol")
    order_cmd("note", number, "--user", "carol", "--text", "已到现场查看")
    until = timezone.localtime(WorkOrder.objects.get().due_at + dt.timedelta(days=1))
    order_cmd(
        "extend",
        number,
        "--user",
        "carol",
        "--until",
        until.strftime("%Y-%m-%dT%H:%M"),
        "--reason",
        "需等待配件",
    )
    assert "approved" in order_cmd("extend", number, "--user", "bob", "--approve")
    order_cmd("reply", number, "--user", "carol", "--text", GOOD_REPLY)
    out = order_cmd("review", number, "--user", "bob", "--accept")
    assert "closed" in out
    order = WorkOrder.objects.get()
    assert order.status == OrderStatus.CLOSED and order.extension_count == 1
    assert order.notes.count() == 1


def test_refusals_are_command_errors(order, carol):
    with pytest.raises(CommandError, match="reason"):
        order_cmd("return", order.number, "--user", "carol", "--reason", " ")
    with pytest.raises(CommandError, match="No work order"):
        order_cmd("sign", "NOPE-1", "--user", "carol")
    order_cmd("sign", order.number, "--user", "carol")
    with pytest.raises(CommandError, match="already signed"):
        order_cmd("sign", order.number, "--user", "carol")
