"""Weak labels from the answering office, honest confidence, routing by kind and place."""

import numpy as np
import pytest

from shishi.combing.classify import Classifier
from shishi.combing.routing import Router, office_category

LABELLED = [
    ("小区停车难，车位太少", "城乡建设"),
    ("物业乱收费，电梯坏了不修", "城乡建设"),
    ("老旧小区改造，加装电梯", "城乡建设"),
    ("孩子上小学学位紧张", "教育文体"),
    ("幼儿园收费太高", "教育文体"),
    ("中学老师有偿补课", "教育文体"),
    ("出租车拒载，不打表", "交通运输"),
    ("网约车司机乱收费", "交通运输"),
    ("公交车司机态度差", "交通运输"),
]


def fitted(**kwargs):
    texts, labels = zip(*LABELLED, strict=True)
    return Classifier().fit(texts=texts, labels=labels, **kwargs)


def test_weak_labels_teach_words_no_clerk_label_uses():
    # 驾校 is in no labelled text; appeals answered by the 交通局 carry it.
    probe = ["驾校退学不退学费，霸王条款"]
    weak_texts = ["驾校报名费不退", "驾校教练收红包", "驾校练车排队太久", "驾校考试约不上"]
    with_weak = fitted(weak_texts=weak_texts, weak_labels=["交通运输"] * 4)
    assert with_weak.predict(texts=probe)[0].category == "交通运输"
    without = fitted()
    p_with = with_weak.probabilities(texts=probe)[0][list(with_weak.classes_).index("交通运输")]
    p_without = without.probabilities(texts=probe)[0][list(without.classes_).index("交通运输")]
    assert p_with > p_without


def test_a_weak_label_never_brings_in_a_category_no_clerk_used():
    model = fitted(weak_texts=["医院乱收费", "疫苗接种收费"], weak_labels=["卫生计生"] * 2)
    assert "卫生计生" not in set(model.classes_)


def test_weak_texts_and_labels_must_pair_up():
    with pytest.raises(ValueError, match="weak"):
        fitted(weak_texts=["驾校"], weak_labels=[])


def test_calibrating_on_rows_it_gets_wrong_lowers_the_confidence():
    model = fitted()
    probes = ["小区停车难", "学位紧张", "出租车拒载"] * 4
    before = model.probabilities(texts=probes).max(axis=1).mean()
    # Rows the model did not train on, labelled against what it guesses:
    # a model this sure and this wrong should be far less sure.
    wrong = {"城乡建设": "教育文体", "教育文体": "交通运输", "交通运输": "城乡建设"}
    labels = [wrong[s.category] for s in model.predict(texts=probes)]
    model.calibrate_on(texts=probes, labels=labels)
    after = model.probabilities(texts=probes).max(axis=1).mean()
    assert after < before
    assert after < before - 0.15


def test_calibration_needs_ten_rows_of_known_categories():
    model = fitted()
    temperature = model.temperature
    with pytest.raises(ValueError, match="10 rows"):
        model.calibrate_on(texts=["医院乱收费"] * 20, labels=["卫生计生"] * 20)
    assert model.temperature == temperature


def test_holdout_fits_the_temperature_on_the_newest_rows():
    texts = [t for t, _ in LABELLED] * 5
    labels = [c for _, c in LABELLED] * 5
    # The 15 newest rows are labelled against the text: fitted on them, the
    # temperature must come out far lower than by cross-validation.
    wrong = {"城乡建设": "教育文体", "教育文体": "交通运输", "交通运输": "城乡建设"}
    noisy = [wrong[c] for c in labels[:15]] + labels[15:]
    by_cv = Classifier().fit(texts=texts, labels=noisy)
    by_time = Classifier().fit(texts=texts, labels=noisy, holdout=15)
    assert by_time.temperature < by_cv.temperature
    # A holdout that would leave too few rows to train on falls back to CV.
    assert Classifier().fit(texts=texts, labels=noisy, holdout=40).temperature == (
        by_cv.temperature
    )


def test_offices_map_to_the_category_they_answer_for():
    assert office_category("a7县教育局") == "教育文体"
    assert office_category("a市城乡居民医保中心") == "劳动和社会保障"
    assert office_category("市公交集团") == "城乡建设"
    assert office_category("a7县城乡建设行政执法大队") == "城乡建设"
    assert office_category("县交通运输局运管处") == "交通运输"
    assert office_category("市卫生和计划生育委员会") == "卫生计生"
    assert office_category("a5区公安分局") is None
    assert office_category(None) is None


def test_router_by_kind_sends_an_appeal_to_the_office_of_its_place():
    texts = ["学校招生", "小学学位", "幼儿园收费", "拖欠工资", "社保补缴", "养老保险"] * 2
    offices = ["a7县教育局", "a7县教育局", "a5区教育局", "a7县人社局", "a5区人社局", "a5区人社局"]
    router = Router(min_examples=1, by_kind=True).fit(texts=texts, offices=offices * 2)
    best = [
        options[0][0]
        for options in router.suggest(texts=["a5区初中招生政策", "a7县工资拖欠", "工资拖欠"])
    ]
    # The place named decides within the kind; with none, the busier office.
    assert best == ["a5区教育局", "a7县人社局", "a5区人社局"]
    options = router.suggest(texts=["a5区初中招生政策"], top=4)[0]
    assert abs(sum(p for _, p in options) - 1) < 1e-6
    assert sorted(router.offices) == sorted(set(offices))


def test_default_classifier_probabilities_are_proper():
    probs = fitted().probabilities(texts=["停车难", "学位紧张"])
    assert np.allclose(probs.sum(axis=1), 1)
