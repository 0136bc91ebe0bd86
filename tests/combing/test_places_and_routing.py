"""Place names in appeals; office names in replies."""

from shishi.combing.places import extract_places, top_places
from shishi.combing.routing import Router, extract_office, office_kind
from shishi.combing.text import normalise


def test_places_are_cut_at_verbs_and_administrative_areas():
    places = extract_places(normalise("A市A3区杜鹃文苑小区外，位于书院路主干道的在水一方大厦"))
    assert "a3区" in places and "书院路" in places and "杜鹃文苑小区" in places
    assert "位于书院路" not in places


def test_generic_words_are_not_places():
    assert extract_places(normalise("小区的道路坏了，该小区很多老人")) == []


def test_top_places_need_several_appeals():
    texts = [normalise(t) for t in ("丽发新城小区噪音", "丽发新城小区粉尘", "书院路堵车")]
    assert top_places(texts) == ["丽发新城小区"]


def test_office_from_investigation_forwarding_and_signature():
    assert extract_office("您好！经A3区洋湖街道调查核实，现回复如下：……") == "a3区洋湖街道"
    assert extract_office("您反映的问题已转至L2县调查处理。") == "l2县"
    assert (
        extract_office("针对您反映的问题，A市住房和城乡建设局高度重视，立即组织核查。")
        == "a市住房和城乡建设局"
    )
    assert extract_office("……感谢您的支持。A7县交通运输局　2013年9月16日") == "a7县交通运输局"


def test_replies_that_name_nobody_give_none():
    assert extract_office("网友：您好！留言已收悉") is None
    assert extract_office("我局高度重视，立即组织人员调查。") is None


def test_office_kind_drops_the_place_and_shortens():
    assert office_kind("a7县住房和城乡建设局") == "住建局"
    assert office_kind("市人力资源和社会保障局") == "人社局"
    assert office_kind("a5区") == "a5区"


def test_router_suggests_the_office_that_handled_similar_appeals():
    texts = ["学校招生", "小学学位", "幼儿园收费", "拖欠工资", "社保补缴", "养老保险"] * 2
    offices = ["教育局"] * 3 + ["人社局"] * 3
    router = Router(min_examples=2).fit(texts=texts, offices=offices * 2)
    best = [options[0][0] for options in router.suggest(texts=["初中招生政策", "工资拖欠"])]
    assert best == ["教育局", "人社局"]
