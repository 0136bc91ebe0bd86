"""The classifier learns from a handful of labels, or from the taxonomy alone."""

import pytest

from shishi.combing.classify import LOW_CONFIDENCE, Classifier, taxonomy_seeds

LABELLED = [
    ("小区停车难，车位太少，晚上车停在消防通道", "城乡建设"),
    ("物业乱收费，小区电梯坏了不修", "城乡建设"),
    ("道路施工围挡占用人行道，路面坑洼", "城乡建设"),
    ("老旧小区改造，加装电梯的补贴政策", "城乡建设"),
    ("孩子上小学学位紧张，划片招生不合理", "教育文体"),
    ("幼儿园收费太高，民办学校乱收费", "教育文体"),
    ("中学老师补课收费，学生课业负担重", "教育文体"),
    ("高考招生录取政策咨询，学籍怎么转", "教育文体"),
    ("公司拖欠工资三个月，农民工讨薪无门", "劳动和社会保障"),
    ("社保断缴怎么补缴，养老保险转移", "劳动和社会保障"),
    ("单位不签劳动合同，不交五险一金", "劳动和社会保障"),
    ("退休金发放标准，退休人员待遇调整", "劳动和社会保障"),
]
TAXONOMY = [
    ("城乡建设", "住房保障与房地产", "物业服务"),
    ("城乡建设", "城市建设和市政管理", "小区管理"),
    ("教育文体", "考试招生", "招生录取"),
    ("教育文体", "教育收费", "乱收费"),
    ("劳动和社会保障", "工资福利", "工资发放"),
    ("劳动和社会保障", "城镇职工社会保险", "职工养老保险"),
    ("卫生计生", "医患纠纷", "医疗事故争议"),
    ("卫生计生", "医政监管", "医疗收费"),
]
UNLABELLED = [
    "小区物业管理混乱，停车收费不合理",
    "学校招生划片，孩子入学难",
    "工厂拖欠工资，要求补发",
    "医院乱收费，医疗事故没人管",
] * 3


@pytest.fixture(scope="module")
def model():
    texts, labels = zip(*LABELLED, strict=True)
    return Classifier().fit(texts=texts, labels=labels, unlabelled=UNLABELLED, taxonomy=TAXONOMY)


def test_obvious_appeals_get_their_category(model):
    got = model.predict(
        texts=["我们小区的停车位严重不足", "学校招生不公平，孩子上不了学", "老板欠我们半年工资不发"]
    )
    assert [s.category for s in got] == ["城乡建设", "教育文体", "劳动和社会保障"]
    assert all(0 < s.confidence <= 1 for s in got)
    assert all(s.low_confidence == (s.confidence < LOW_CONFIDENCE) for s in got)


def test_with_labels_it_never_suggests_a_category_no_label_uses(model):
    assert set(model.classes_) == {"城乡建设", "教育文体", "劳动和社会保障"}
    assert model.predict(texts=["医院医疗事故"])[0].category != "卫生计生"


def test_probabilities_sum_to_one_and_predict_keeps_the_order(model):
    probs = model.probabilities(texts=["停车难", "学位紧张"])
    assert probs.shape == (2, 3)
    assert abs(probs.sum(axis=1) - 1).max() < 1e-9
    assert model.predict(texts=[]) == []


def test_day_one_without_labels_learns_from_the_taxonomy():
    model = Classifier().fit(texts=[], labels=[], unlabelled=UNLABELLED, taxonomy=TAXONOMY)
    assert set(model.classes_) == {"城乡建设", "教育文体", "劳动和社会保障", "卫生计生"}
    assert model.predict(texts=["医院医疗收费太高"])[0].category == "卫生计生"


def test_retraining_on_corrected_labels_changes_the_suggestion():
    texts, labels = map(list, zip(*LABELLED, strict=True))
    probe = "小区门口的培训学校噪音扰民"
    before = Classifier().fit(texts=texts, labels=labels).predict(texts=[probe])[0].category
    assert before in {"城乡建设", "教育文体"}
    # A clerk confirms three such appeals as 环境保护: the model follows.
    texts += ["培训学校噪音扰民", "小区门口噪音扰民严重", "工地夜间施工噪音扰民"]
    labels += ["环境保护"] * 3
    after = Classifier().fit(texts=texts, labels=labels).predict(texts=[probe])[0].category
    assert after == "环境保护"


def test_taxonomy_seeds_skip_other_and_unused_categories():
    texts, labels = taxonomy_seeds(
        [("城乡建设", "其他", "其他"), ("城乡建设", "小区管理", "物业"), ("政法", "治安", "")],
        categories={"城乡建设"},
    )
    assert texts == ["城乡建设", "小区管理 物业"]
    assert labels == ["城乡建设", "城乡建设"]


def test_fit_refuses_a_single_category():
    with pytest.raises(ValueError, match="two categories"):
        Classifier().fit(texts=["a", "b"], labels=["x", "x"])


def test_suggest_is_predict_and_a_pickled_model_gives_the_same_answers(model):
    import pickle

    probes = ["小区物业收费", "初中招生", "拖欠工资"]
    assert model.suggest(texts=probes) == model.predict(texts=probes)
    again = pickle.loads(pickle.dumps(model))  # noqa: S301 - our own bytes
    assert abs(again.probabilities(texts=probes) - model.probabilities(texts=probes)).max() == 0


def test_unlabelled_appeals_carry_a_label_to_words_no_label_uses():
    # 噪音/搅拌站 appear in no labelled text; unlabelled appeals tie them to 施工扰民,
    # which the 环境保护 labels use.
    labelled = [
        ("工地施工扰民，夜间施工", "环境保护"),
        ("施工扰民严重，晚上不停工", "环境保护"),
        ("夜间施工扰民，无法休息", "环境保护"),
        ("孩子上学难，学位紧张", "教育文体"),
        ("学校招生不公平，学位不够", "教育文体"),
        ("幼儿园学位紧张，入园难", "教育文体"),
    ]
    unlabelled = [
        "搅拌站噪音大，夜间施工扰民",
        "搅拌站噪音扰民，施工不停",
        "噪音扰民，搅拌站夜间施工",
        "学校学位不够，孩子入学难",
        "招生划片，学位紧张",
    ]
    texts, labels = zip(*labelled, strict=True)
    model = Classifier().fit(texts=texts, labels=labels, unlabelled=unlabelled)
    assert model.predict(texts=["搅拌站噪音"])[0].category == "环境保护"


def test_dictionary_words_find_fitted_words_in_new_texts():
    from shishi.combing.features import DictionaryWords

    block = DictionaryWords(min_df=1, max_df=1.0).fit_words(
        [["物业费", "小区"], ["拖欠工资", "小区"]]
    )
    assert block.width == 3
    m = block.transform(["我们小区的物业费太高", "天气很好"])
    assert m[0].nnz == 2  # 物业费 and 小区, not 拖欠工资
    assert abs(m[0].multiply(m[0]).sum() - 1) < 1e-6
    assert m[1].nnz == 0
