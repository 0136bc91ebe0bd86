"""Duplicates: reworded copies are found, other appeals are not."""

import re

import pytest

from shishi.combing.duplicates import DuplicateIndex

OTHERS = [
    "A5区劳动东路魅力之城小区一楼餐馆油烟扰民，晚上烧烤摊营业到凌晨两点，油烟直接飘进住户家里。",
    "A市社保卡制卡进度一直查不到，办理三个月了还没有拿到卡，影响看病报销。",
    "A6区月亮岛路沿线架设高压电线杆离小区太近，居民担心辐射，请求改线。",
    "A4区洪山公园规划了十几年了，到底什么时候开工建设？周边居民期待已久。",
    "A3区可可小城小区物业乱收停车费，每月三百元，没有任何收费依据，请查处。",
]


@pytest.fixture
def index(appeals):
    idx = DuplicateIndex()
    idx.add(
        texts=[appeals["parking"], appeals["noise"], appeals["school"], *OTHERS],
        ids=["P", "N", "S", "O1", "O2", "O3", "O4", "O5"],
    )
    return idx


def sentences(text):
    return [s for s in re.split(r"(?<=。)", text) if s]


def test_reordered_sentences_are_a_duplicate(index, appeals):
    reordered = "".join(reversed(sentences(appeals["parking"])))
    assert [m.id for m in index.search(text=reordered).duplicates] == ["P"]


def test_abbreviated_place_names_truncation_and_padding_are_duplicates(index, appeals):
    text = appeals["parking"]
    abbreviated = text.replace("A市A3区", "").replace("可可小城小区", "可可小城")
    truncated = text[: len(text) // 2]
    padded = "尊敬的领导您好！" + text + "恳请尽快解决，谢谢！另外小区门口的路灯也坏了。"
    for variant in (abbreviated, truncated, padded):
        assert [m.id for m in index.search(text=variant).duplicates] == ["P"], variant


def test_small_edits_are_a_duplicate(index, appeals):
    edited = appeals["noise"].replace("不到一百米", "不足100米").replace("尽快", "马上")
    result = index.search(text=edited)
    assert [m.id for m in result.duplicates] == ["N"]
    assert result.duplicates[0].score >= index.duplicate_threshold


def test_same_place_different_problem_is_not_a_duplicate(index):
    # Shares the 可可小城小区 with P and O5, but is about a broken lift.
    text = "A3区可可小城小区3栋电梯已经坏了两个月，老人上下楼非常困难，物业一直拖着不修。"
    result = index.search(text=text)
    assert result.duplicates == []


def test_an_unrelated_appeal_finds_nothing(index):
    text = "建议A市开通更多夜间公交线路，方便晚班职工回家，目前末班车九点就停了。"
    result = index.search(text=text)
    assert result.duplicates == [] and result.related == []


def test_appeals_added_after_a_search_are_found_and_exclude_skips_itself(index):
    index.search(text="预热")
    new = "A8县灰汤镇新风村至高桥村道路坑洼不平，雨天无法通行，存在安全隐患，请求修缮。"
    index.add(texts=[new], ids=["NEW"])
    assert [m.id for m in index.search(text=new + "谢谢！").duplicates] == ["NEW"]
    assert index.search(text=new, exclude="NEW").duplicates == []
    assert len(index) == 9


def test_appeals_added_one_by_one_are_all_found_and_segments_stay_few():
    import random

    rng = random.Random(0)
    words = "停车难物业收费噪音扰民学校招生工资拖欠社保医院道路积水路灯井盖"
    texts = ["".join(rng.choice(words) for _ in range(60)) for _ in range(300)]
    index = DuplicateIndex(segment_size=50)
    for i, text in enumerate(texts):
        index.add(texts=[text], ids=[i])
        if i % 3 == 0:
            index.search(text=text)
    assert all(
        [m.id for m in index.search(text=t).duplicates][:1] == [i] for i, t in enumerate(texts)
    )
    assert sum(1 for s in index._segments if s.size < 50) <= 4
