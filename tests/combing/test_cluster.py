"""Clustering groups copies of one issue; the heat index ranks issues."""

import datetime as dt

from shishi.combing.cluster import cluster_texts, heat_index, hot_issues

NOISE = [
    "丽发新城小区附近搅拌站噪音扰民，晚上无法睡觉",
    "投诉丽发新城小区旁边的搅拌站噪音和粉尘扰民",
    "丽发新城小区搅拌站粉尘噪音严重，请求搬迁搅拌站",
    "丽发新城附近搅拌站日夜施工噪音扰民",
]
PARKING = [
    "伊景园滨河苑开发商捆绑销售车位",
    "投诉伊景园滨河苑捆绑销售车位，不买车位不给网签",
    "伊景园滨河苑车位捆绑销售是否合法",
]
SINGLES = [
    "建议开通夜间公交线路方便晚班职工",
    "社保卡制卡进度查询不到",
    "洪山公园何时开工建设",
    "农村自来水管道老化经常停水",
]


def test_copies_of_one_issue_share_a_cluster_and_other_appeals_do_not():
    texts = NOISE + PARKING + SINGLES
    labels = cluster_texts(texts)
    assert len(set(labels[:4])) == 1
    assert len(set(labels[4:7])) == 1
    assert labels[0] != labels[4]
    assert len(set(labels[7:])) == 4 and not set(labels[7:]) & set(labels[:7])
    assert labels[0] == 0  # ids by descending size


def test_cluster_texts_handles_tiny_inputs():
    assert cluster_texts([]).tolist() == []
    assert cluster_texts(["只有一条"]).tolist() == [0]


def test_heat_counts_residents_votes_and_recency():
    base = heat_index(appeals=4, residents=4, votes=0, age_days=0)
    assert base == 4.0
    assert heat_index(appeals=4, residents=1, votes=0, age_days=0) == 2.5  # one resident, 4 times
    assert heat_index(appeals=4, residents=4, votes=3, age_days=0) == 8.0  # + 2·log2(4)
    assert heat_index(appeals=4, residents=4, votes=0, age_days=30) == 3.0
    assert heat_index(appeals=4, residents=4, votes=0, age_days=None) == 4.0


def test_hot_issues_are_ranked_by_heat_with_title_places_and_span():
    texts = NOISE + PARKING + SINGLES
    labels = [0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5]
    day = dt.datetime(2019, 7, 1)  # noqa: DTZ001
    times = [day + dt.timedelta(days=i) for i in range(len(texts))]
    issues = hot_issues(
        labels=labels,
        ids=[str(100 + i) for i in range(len(texts))],
        titles=texts,
        texts=texts,
        users=["u1", "u2", "u3", "u4", "v1", "v1", "v1", "w", "x", "y", "z"],
        times=times,
        likes=[0] * 4 + [500, 0, 0] + [0] * 4,
        dislikes=None,
    )
    assert [h.cluster_id for h in issues] == [1, 0]  # 1 resident but 500 likes beats 4 residents
    top = issues[0]
    assert top.rank == 1 and top.appeals == 3 and top.residents == 1 and top.votes == 500
    assert top.ids == ["104", "105", "106"]
    assert "伊景园滨河苑" in top.title
    assert top.time_span == "2019/07/05 至 2019/07/07"
    assert "丽发新城小区" in issues[1].places


def test_a_batch_large_enough_for_the_coarse_split_keeps_each_issue_together():
    import random

    rng = random.Random(0)
    places = ["丽发新城", "伊景园滨河苑", "魅力之城", "可可小城", "星沙文化公园", "金麓小区"]
    problems = [
        "搅拌站噪音扰民晚上无法睡觉",
        "物业乱收停车费没有依据",
        "楼下餐馆油烟直排熏得开不了窗",
    ]
    issues = [f"{p}{q}" for p in places for q in problems]
    texts, truth = [], []
    for k, issue in enumerate(issues):
        for _ in range(6):
            chars = list(f"投诉{issue}，请有关部门尽快处理。")
            chars[rng.randrange(2, len(chars))] = rng.choice("的了呀")
            texts.append("".join(chars))
            truth.append(k)
    # Unrelated appeals around them, so that no issue's words are common.
    pool = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    for _ in range(600):
        texts.append("".join(rng.choice(pool) for _ in range(30)))
        truth.append(-1)
    order = rng.sample(range(len(texts)), len(texts))
    texts = [texts[i] for i in order]
    truth = [truth[i] for i in order]
    # coarse_size and max_group small: k-means groups, splits and the join
    # across groups all run on this batch.
    labels = cluster_texts(texts, coarse_size=40, max_group=60)
    for k in range(len(issues)):
        members = {int(labels[i]) for i in range(len(texts)) if truth[i] == k}
        assert len(members) == 1, issues[k]
    # Different problems never share a cluster. (The same long complaint about
    # two places may: place names are a small part of such texts.)
    cluster_of = {k: int(labels[truth.index(k)]) for k in range(len(issues))}
    for a in range(len(issues)):
        for b in range(len(issues)):
            if a % len(problems) != b % len(problems):
                assert cluster_of[a] != cluster_of[b], (issues[a], issues[b])
    issue_clusters = set(cluster_of.values())
    background = [int(labels[i]) for i in range(len(texts)) if truth[i] < 0]
    assert not issue_clusters & set(background)
    again = cluster_texts(texts, coarse_size=40, max_group=60)
    assert labels.tolist() == again.tolist()  # seeded: the same batch, the same clusters


def test_a_small_batch_clusters_alike_with_or_without_the_thread_cap():
    texts = NOISE + PARKING + SINGLES
    assert cluster_texts(texts).tolist() == cluster_texts(texts, blas_threads=None).tolist()
