"""A small installation to learn from: two root categories with children,
labelled appeals about traffic and schools, items led by two units."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from shishi.categories.services import category_create
from shishi.intake.bulk import appeals_bulk_create
from shishi.intake.models import Appeal
from shishi.intake.services import appeal_accept
from shishi.ledger.services import TargetSpec, item_create

PLACES = ["建设路", "桐柏路", "秦岭路", "嵩山路", "伏牛路"]
TRAFFIC = [
    "{p}路口红绿灯时间太短，行人过马路很危险",
    "{p}公交站台破损，候车很不方便",
    "{p}道路坑洼积水，车辆难行",
    "{p}早晚高峰拥堵严重，希望优化信号灯",
    "{p}电动车乱停乱放占用人行道",
]
SCHOOL = [
    "{p}小学学位紧张，希望新建学校",
    "{p}幼儿园收费太高，希望增加公办幼儿园",
    "{p}中学食堂饭菜质量差，希望加强管理",
    "{p}小学课后服务时间太短，家长困难",
    "{p}初中学位不足，孩子无法就近入学",
]
_residents = itertools.count(1)


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def tree(db):
    traffic = category_create(name="交通出行", code="traffic")
    school = category_create(name="教育优先", code="school")
    for name in ("道路", "公交", "停车"):
        category_create(name=name, parent=traffic)
    for name in ("学位", "幼儿园"):
        category_create(name=name, parent=school)
    return {"traffic": traffic, "school": school}


def records(templates, category=None, *, days_ago=30, places=PLACES):
    now = timezone.now()
    return [
        {
            "title": template.format(p=place)[:20],
            "body": template.format(p=place) + "。请有关部门尽快解决。",
            "channel": "web",
            "category": category,
            "received_at": now - dt.timedelta(days=days_ago, minutes=n),
            "submitter_name": f"居民{next(_residents)}",
        }
        for n, (template, place) in enumerate(itertools.product(templates, places))
    ]


@pytest.fixture
def history(tree, district, bob):
    """50 labelled appeals, and two items (one per unit) with three appeals each."""
    appeals_bulk_create(
        records(TRAFFIC, tree["traffic"]) + records(SCHOOL, tree["school"]), actor=bob
    )
    items = {}
    for key, unit, templates in (
        ("traffic", district["transport"], TRAFFIC),
        ("school", district["education"], SCHOOL),
    ):
        items[key] = item_create(
            kind="project",
            title="整治" + templates[0].format(p="")[:8],
            category=tree[key],
            actor=bob,
            lead_unit=unit,
            deadline=timezone.now() + dt.timedelta(days=60),
            targets=[TargetSpec("完成", "处", 3)],
        )
        for appeal in Appeal.objects.filter(category=tree[key]).order_by("pk")[:4]:
            appeal_accept(appeal=appeal, actor=bob, item=items[key])
    return items


@pytest.fixture
def clerk(client, bob):
    """The client, logged in as bob the clerk."""
    client.force_login(bob)
    return client
