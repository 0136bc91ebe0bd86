"""Training on stored appeals, saving versions, and what each process loads."""

import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from shishi.categories.models import Category
from shishi.intake.bulk import appeals_bulk_create
from shishi.intake.services import appeal_answer, appeal_submit
from shishi.jobs import registry
from shishi.org.services import unit_create
from shishi.suggestions import selectors, store
from shishi.suggestions.services import router_train, suggestions_train
from shishi.suggestions.texts import UnitMatcher, taxonomy_rows

from .conftest import SCHOOL, TRAFFIC, records

pytestmark = pytest.mark.django_db


def new_appeal(title, body=""):
    return appeal_submit(title=title, body=body, channel="web", received_at=timezone.now())


def test_taxonomy_rows_seed_every_category_or_only_the_roots(tree):
    rows = taxonomy_rows(Category.objects.all(), roots_only=False)
    traffic = str(tree["traffic"].pk)
    assert [traffic, "交通出行", "道路"] in rows
    road = Category.objects.get(name="道路")
    assert [str(road.pk), "道路"] in rows
    roots = taxonomy_rows(Category.objects.all(), roots_only=True)
    assert {row[0] for row in roots} == {traffic, str(tree["school"].pk)}
    assert len(roots) == 5  # one per leaf


def test_office_names_map_to_units(district):
    parks = unit_create(name="区城市管理局", kind="department", parent=district["district"])
    unit_create(name="区城建局二队", kind="department", parent=district["district"])
    matcher = UnitMatcher(list(district.values()) + [parks])
    assert matcher.unit_for("区教育局") == district["education"]  # exact
    assert matcher.unit_for("郑州市中原区教育局") == district["education"]  # kind of office
    assert matcher.unit_for("城市管理局") == parks  # contained in one unit's name
    assert matcher.unit_for("林山寨街道办事处") == district["street"]  # contains one
    assert matcher.unit_for("区财政局") is None
    assert matcher.unit_for("区财政局") is None
    assert matcher.unmatched == {"区财政局": 2}


def test_training_with_nothing_stored_gives_empty_models_and_no_error(db):
    result = suggestions_train()
    assert result["version"] == 1 and result["labelled"] == 0
    assert "classifier" in result and "router" in result  # why each is missing
    models = store.models()
    assert models.version == 1 and models.classifier is None and models.router is None
    appeal = new_appeal("路灯不亮")
    assert not selectors.for_appeal(appeal).any


@pytest.mark.slow
def test_day_one_learns_the_tree_and_the_unlabelled_appeals(tree, bob):
    appeals_bulk_create(records(TRAFFIC) + records(SCHOOL), actor=bob)  # no category yet
    result = suggestions_train()
    assert (result["labelled"], result["unlabelled"]) == (0, 50)
    school = new_appeal("孩子上幼儿园难", "附近没有公办幼儿园，学位不够")
    assert selectors.for_appeal(school).category.category == tree["school"]
    road = new_appeal("道路积水", "建设路道路坑洼积水严重，公交车难行")
    assert selectors.for_appeal(road).category.category == tree["traffic"]


@pytest.mark.slow
def test_trained_models_suggest_category_duplicates_items_and_lead_unit(history, tree, district):
    result = suggestions_train()
    assert result["labelled"] == 50  # accepting an appeal keeps its category
    assert result["routed_from_items"] == 8
    appeal = new_appeal("秦岭路口红绿灯时间太短", "秦岭路路口红绿灯时间太短，行人过马路很危险")
    found = selectors.for_appeal(appeal)
    assert found.category.category == tree["traffic"]
    assert 0 < found.category.confidence <= 1
    assert found.lead_units[0].unit == district["transport"]
    assert any("秦岭路" in s.obj.title and "红绿灯" in s.obj.title for s in found.duplicates)
    assert all(s.obj.pk != appeal.pk for s in found.duplicates + found.related)
    assert found.items[0].obj == history["traffic"]


@pytest.mark.slow
def test_a_new_version_is_loaded_and_new_appeals_are_found_without_retraining(history):
    suggestions_train()
    first = store.models()
    assert first.version == 1
    later = new_appeal("嵩山路井盖丢失", "嵩山路与伏牛路交叉口井盖丢失，夜间很危险")
    probe = new_appeal("嵩山路井盖丢失了", "嵩山路与伏牛路交叉口井盖丢失，夜间很危险！")
    assert [s.obj for s in selectors.for_appeal(probe).duplicates] == [later]
    suggestions_train()
    assert store.current_version() == 2
    assert store.models().version == 2 and store.models() is not first
    suggestions_train()
    assert not (store.root() / "v1").exists()  # pruned: the one before the current stays
    assert (store.root() / "v2").exists()
    meta = json.loads((store.root() / "v3" / "meta.json").read_text(encoding="utf-8"))
    assert meta["indexed_appeals"] == 52


@pytest.mark.slow
def test_a_broken_version_falls_back_to_no_suggestions(history):
    suggestions_train()
    (store.root() / "v1" / "appeals.npz").write_bytes(b"not an index")
    store.forget()
    appeal = new_appeal("路灯不亮")
    assert selectors.for_appeal(appeal).category is None
    (store.root() / "current").write_text("7")  # a version that is not there
    assert store.models().classifier is None


def test_answers_naming_an_office_teach_the_router(district, bob, tree):
    for n in range(3):
        for unit, text in (("区教育局", "学位紧张"), ("区城建局", "道路积水")):
            appeal = new_appeal(f"{text}{n}", f"建设路{text}问题")
            appeal_answer(appeal=appeal, actor=bob, answer=f"您好，经{unit}调查核实，已处理。")
    answer = "经区财政局调查核实，已处理。"
    appeal_answer(appeal=new_appeal("补贴"), actor=bob, answer=answer)
    router, info = router_train(limit=100)
    assert info["routed_from_answers"] == 6 and info["answers_naming_an_office"] == 7
    assert info["offices_unmatched_top"] == ["区财政局 ×1"]
    assert set(router.offices) == {str(district["education"].pk), str(district["transport"].pk)}


@pytest.mark.slow
def test_the_worker_task_and_the_command_train(history):
    result = registry.run("suggestions.train")
    assert result["version"] == 1 and result["categories"] == 2
    out = StringIO()
    call_command("suggestions", "train", stdout=out)
    assert "Version 2 is now in use." in out.getvalue()
    out = StringIO()
    call_command("suggestions", "status", stdout=out)
    assert "labelled: 50" in out.getvalue()
