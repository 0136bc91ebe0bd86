"""Same matter: residents' own words about one matter merge; one place with
another matter, or one problem at another place, does not."""

from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from shishi.combing import pairs as pm
from shishi.combing.cluster import matter_clusters
from shishi.combing.places import matter_fields, strip_places
from shishi.combing.text import normalise

# One matter told by four residents in their own words.
LIGHTS = [
    "桐柏路建设路口路灯坏了好几天，晚上一片漆黑，过马路很危险。",
    "桐柏路和建设路交叉口的路灯一直不亮，请尽快维修。",
    "反映桐柏路建设路口路灯不亮的问题，已经一个星期了，行人和电动车都看不清。",
    "桐柏路建设路路口晚上没有路灯，黑乎乎的，希望城管抓紧修一下路灯。",
]
# The same crossing, other matters.
SAME_PLACE = [
    "桐柏路建设路口早晚高峰拥堵严重，红绿灯时间太短，请交警调整信号灯配时。",
    "桐柏路建设路口东北角的早餐摊占道经营，垃圾乱扔，请城管管理。",
]
# The same problem at other places.
SAME_PROBLEM = [
    "伏牛路华山路口路灯坏了好几天，晚上一片漆黑，过马路很危险。",
    "秦岭路陇海路交叉口的路灯一直不亮，请尽快维修。",
]
NOISE = [
    "丽发新城小区附近搅拌站噪音扰民，晚上无法睡觉，请环保部门查处。",
    "投诉丽发新城小区旁边的搅拌站日夜施工，噪音和粉尘严重，孩子老人无法休息。",
    "丽发新城的居民受够了，隔壁混凝土搅拌厂粉尘噪音太大，请求搬迁。",
    "丽发新城小区物业费一年涨了两次，业主不同意，物业强行收费。",
]


def decide(a: list[str], b: list[str]) -> np.ndarray:
    _, same = pm.pair_scores(a, b)
    return same


def test_structured_fields_name_place_object_and_problem():
    fields = matter_fields(normalise("丽发新城小区附近搅拌站噪音扰民，晚上无法睡觉"))
    assert fields.places[0] == "丽发新城小区"
    assert "搅拌站" in fields.objects and "噪音" in fields.problems
    assert "丽发新城" not in strip_places(normalise("丽发新城小区附近搅拌站噪音扰民"))


def test_one_matter_in_other_words_is_the_same_matter():
    a = [LIGHTS[0], LIGHTS[0], LIGHTS[1], NOISE[0], NOISE[1]]
    b = [LIGHTS[1], LIGHTS[2], LIGHTS[3], NOISE[1], NOISE[2]]
    assert decide(a, b).all()


def test_another_matter_at_the_same_place_is_not():
    a = [LIGHTS[0], LIGHTS[1], SAME_PLACE[0], NOISE[0], NOISE[1]]
    b = [SAME_PLACE[0], SAME_PLACE[1], SAME_PLACE[1], NOISE[3], NOISE[3]]
    assert not decide(a, b).any()


def test_the_same_problem_at_another_place_is_not():
    a = [LIGHTS[0], LIGHTS[1], SAME_PROBLEM[0]]
    b = [SAME_PROBLEM[0], SAME_PROBLEM[1], SAME_PROBLEM[1]]
    assert not decide(a, b).any()


def test_scores_are_probabilities_and_a_place_conflict_caps_them():
    moved = LIGHTS[0].replace("桐柏路建设路口", "伏牛路华山路口")
    score, same = pm.pair_scores([LIGHTS[0], LIGHTS[0]], [LIGHTS[0], moved])
    assert same.tolist() == [True, False]
    assert 0 < score[1] <= pm.THRESHOLD / 2 < score[0] <= 1


def test_matter_clusters_keep_each_matter_apart():
    texts = LIGHTS + SAME_PLACE + SAME_PROBLEM + NOISE
    labels = matter_clusters(texts).tolist()
    assert len(set(labels[:4])) == 1
    assert len(set(labels[11:14])) == 1 and labels[11] != labels[0]
    others = labels[4:8] + labels[14:]
    assert len(set(others)) == len(others) and not set(others) & {labels[0], labels[11]}
    assert labels[0] == 0  # ids by descending size
    assert matter_clusters([]).tolist() == [] and matter_clusters(["一条"]).tolist() == [0]


def shishi(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.fixture
def messages(tmp_path):
    path = tmp_path / "m.csv"
    rows = ["留言编号,留言主题,留言详情"]
    rows += [f"{100 + i},{t},{t}" for i, t in enumerate(LIGHTS + SAME_PLACE + NOISE)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_pairs_command_decides_as_the_engine(tmp_path, messages):
    pairs = tmp_path / "p.csv"
    pairs.write_text("id_a,id_b\n100,101\n100,104\n106,107\n106,109\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    text = shishi("pairs", "--input", str(messages), "--pairs", str(pairs), "--output", str(out))
    assert "4 pairs, 2 of them the same matter" in text
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "id_a,id_b,same_matter,score"
    got = [line.split(",") for line in lines[1:]]
    assert [(r[0], r[1], r[2]) for r in got] == [
        ("100", "101", "1"),
        ("100", "104", "0"),
        ("106", "107", "1"),
        ("106", "109", "0"),
    ]
    scores = [float(r[3]) for r in got]
    assert all(0 <= s <= 1 for s in scores) and scores[0] >= pm.THRESHOLD > scores[1]


def test_pairs_command_names_a_missing_id_and_writes_nothing(tmp_path, messages):
    pairs = tmp_path / "p.csv"
    pairs.write_text("id_a,id_b\n100,101\n100,999\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    with pytest.raises(CommandError, match="p.csv: row 3, field “id_b”: no appeal “999”"):
        shishi("pairs", "--input", str(messages), "--pairs", str(pairs), "--output", str(out))
    assert not out.exists()


def test_pairs_command_names_a_missing_column(tmp_path, messages):
    pairs = tmp_path / "p.csv"
    pairs.write_text("a,b\n100,101\n", encoding="utf-8")
    with pytest.raises(CommandError, match="p.csv: no column “id_a”"):
        shishi(
            "pairs",
            "--input",
            str(messages),
            "--pairs",
            str(pairs),
            "--output",
            str(tmp_path / "o"),
        )
    with pytest.raises(CommandError, match="m.csv: no column “编号”"):
        shishi(
            "pairs",
            "--input",
            str(messages),
            "--pairs",
            str(pairs),
            "--output",
            str(tmp_path / "o"),
            "--id-column",
            "编号",
        )
