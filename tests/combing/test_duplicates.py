"""Duplicates: reworded copies are found, other appeals are not."""

import re

import pytest

from shishi.combing.duplicates import DuplicateIndex, SearchResult

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


def test_the_same_complaint_about_another_place_is_related_not_a_duplicate(index, appeals):
    # A template reused for another 小区: nearly every shingle in common.
    moved = appeals["parking"].replace("桐梓坡西路", "麓谷大道").replace("可可小城", "魅力之城")
    result = index.search(text=moved)
    assert result.duplicates == []
    assert [m.id for m in result.related] == ["P"] and result.related[0].score > 0.8


def test_a_retelling_that_names_the_same_place_is_a_duplicate(index):
    retold = "丽发新城小区旁边的搅拌站晚上十二点后还在作业，噪音粉尘太大，老人孩子睡不着觉，恳请环保部门查处。"
    result = index.search(text=retold)
    assert [m.id for m in result.duplicates] == ["N"]
    # Below the plain threshold: the shared place (丽发新城) makes it a duplicate.
    assert index.place_threshold <= result.duplicates[0].score < index.duplicate_threshold


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


def test_a_saved_index_loads_searches_alike_and_takes_new_appeals(index, appeals, tmp_path):
    path = tmp_path / "index.npz"
    index.save(path)
    loaded = DuplicateIndex.load(path)
    assert len(loaded) == len(index)
    assert loaded.duplicate_threshold == index.duplicate_threshold
    for text in (appeals["parking"], appeals["noise"][:60], OTHERS[2] + "谢谢"):
        assert loaded.search(text=text) == index.search(text=text)
    new = "A8县灰汤镇新风村至高桥村道路坑洼不平，雨天无法通行，存在安全隐患，请求修缮。"
    loaded.add(texts=[new], ids=["NEW"])
    assert [m.id for m in loaded.search(text=new + "谢谢！").duplicates] == ["NEW"]
    assert [m.id for m in loaded.search(text=appeals["school"]).duplicates] == ["S"]
    # Saved again with the new appeal, loaded again: still there, ids still strings.
    loaded.save(path)
    again = DuplicateIndex.load(path)
    assert [m.id for m in again.search(text=new).duplicates] == ["NEW"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["index.npz"]


def test_int_ids_and_custom_settings_survive_save_and_load(appeals, tmp_path):
    index = DuplicateIndex(duplicate_threshold=0.6, segment_size=2)
    index.add(
        texts=[appeals["parking"], "", appeals["noise"], *OTHERS],
        ids=[10, 11, 12, 13, 14, 15, 16, 17],
    )
    index.save(tmp_path / "ints.npz")
    loaded = DuplicateIndex.load(tmp_path / "ints.npz")
    assert loaded.duplicate_threshold == 0.6 and loaded.segment_size == 2
    result = loaded.search(text=appeals["noise"])
    assert [m.id for m in result.duplicates] == [12]
    assert type(result.duplicates[0].id) is int
    loaded.add(texts=[appeals["school"]], ids=[99])
    assert [m.id for m in loaded.search(text=appeals["school"]).duplicates] == [99]


def test_an_empty_index_saves_and_loads(tmp_path):
    DuplicateIndex().save(tmp_path / "empty.npz")
    loaded = DuplicateIndex.load(tmp_path / "empty.npz")
    assert len(loaded) == 0
    assert loaded.search(text="小区停车难") == SearchResult(duplicates=[], related=[])
    loaded.add(texts=["小区停车难，晚上车辆停满消防通道"], ids=["A"])
    assert [m.id for m in loaded.search(text="小区停车难，晚上车辆停满消防通道").duplicates] == [
        "A"
    ]


def test_mixed_or_unsupported_ids_are_refused_and_nothing_is_written(appeals, tmp_path):
    index = DuplicateIndex()
    index.add(texts=[appeals["parking"], appeals["noise"]], ids=[1, "two"])
    with pytest.raises(ValueError, match="all ints or all strings"):
        index.save(tmp_path / "bad.npz")
    assert list(tmp_path.iterdir()) == []


def test_a_file_that_is_not_an_index_is_refused(tmp_path):
    import numpy as np

    path = tmp_path / "other.npz"
    np.savez(path, x=np.arange(3))
    with pytest.raises(ValueError, match="not a saved DuplicateIndex"):
        DuplicateIndex.load(path)
    np.savez(path, meta=np.array('{"format": 1}'))
    with pytest.raises(ValueError, match="index format 1, expected 3"):
        DuplicateIndex.load(path)


def test_a_query_that_touches_many_appeals_a_little_finds_none_and_does_not_fail():
    import random

    rng = random.Random(1)
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    texts = ["".join(rng.choice(pool) for _ in range(60)) for _ in range(100)]
    index = DuplicateIndex()
    index.add(texts=texts)
    # A few words from each of 60 appeals: none holds a tenth of the query.
    query = "，".join(t[:15] for t in texts[:60])
    result = index.search(text=query)
    assert result.duplicates == []
