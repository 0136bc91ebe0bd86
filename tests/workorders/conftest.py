"""Fixtures of the work-order tests: an appeal waiting in the intake queue,
the centre (bob the clerk), two handlers of the education bureau (carol,
cora) and one of another unit (hank)."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from shishi.intake.services import appeal_submit
from shishi.org.services import user_create
from shishi.workorders import services

_counter = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    # The assertions read the English msgids; the default language is Chinese.
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def cora(district):
    """A second handler at the education bureau, carol's colleague."""
    return user_create(
        username="cora", full_name="科拉", roles=["unit_handler"], units=[district["education"]]
    )


@pytest.fixture
def make_appeal(db, category):
    def make(title=None, *, days_ago=0, **kwargs):
        kwargs.setdefault("category", category)
        return appeal_submit(
            title=title or f"路灯不亮{next(_counter)}",
            body="建设路与桐柏路交叉口路灯连续三晚不亮。",
            channel="hotline",
            received_at=timezone.now() - dt.timedelta(days=days_ago),
            **kwargs,
        )

    return make


@pytest.fixture
def appeal(make_appeal):
    return make_appeal()


@pytest.fixture
def order(appeal, bob, district):
    """An order dispatched to the education bureau, waiting to be signed."""
    return services.order_dispatch(appeal=appeal, unit=district["education"], actor=bob)


@pytest.fixture
def signed(order, carol):
    return services.order_sign(order=order, actor=carol)


GOOD_REPLY = "已安排维修人员更换路灯灯泡三只，经现场检查，路灯已于当晚恢复照明。"


@pytest.fixture
def replied(signed, carol):
    return services.order_reply(order=signed, actor=carol, reply=GOOD_REPLY)
