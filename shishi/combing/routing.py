"""Routing: which unit should lead on an appeal, learned from past replies.

1. `extract_office` reads the office that handled an appeal out of its reply
   (答复意见). Replies name it in a few fixed turns of phrase, tried in this
   order, first match wins:

   - forwarded: ``已转(至/交)X调查``, ``转由X办理``, ``责成X核实`` …
   - investigated by: ``经X调查/核实/现场…``
   - acted: ``，X高度重视`` / ``X迅速进行了调查`` / ``X立即组织…``
   - signed: ``… X 2019年5月9日`` at the end of the reply
   - referred: ``请向X咨询``, ``致电X``, ``请与X联系``
   - mentioned: failing all of these, the first name with a strong office
     suffix (局, 委员会, 中心, 人民政府, 街道办事处, 派出所 …) anywhere

   where X is a run of name characters ending in an office suffix (局, 委员会,
   办公室, 中心, 政府, 街道, 派出所, 大队, 公司, 镇, 乡, 区, 县 …). Replies
   that only say 我局/我中心 name nobody and give None.
2. `Router` is a text classifier from appeal text to office (the same
   features and linear model as the category classifier, see
   `classify.Classifier`), trained on the appeals whose reply named an office
   that handled at least `min_examples` of them; it suggests the top offices
   with a confidence.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from shishi.combing.text import normalise

_NAME = r"[0-9a-z\u3400-\u9fff]"
_SUFFIX = (
    r"(?:委员会|管理委员会|管委会|办公室|办事处|人民政府|政府|街道|派出所|分局|局|委|办|"
    r"中心|支队|大队|中队|公司|集团|法院|检察院|医院|学校|总站|站|所|厅|处|部门|镇|乡|区|县)"
)
_STRONG_SUFFIX = (
    r"(?:委员会|管委会|办公室|办事处|人民政府|派出所|分局|局|中心|支队|大队|法院|检察院|部门)"
)
_ORG = rf"(?P<org>{_NAME}{{1,24}}?{_SUFFIX})"
_BOUNDARY = r"(?:^|(?<=[，,。：:；;！!？?\s、“”\"（）()]))"

_PATTERNS = [
    re.compile(
        rf"(?:已|现)?(?:转至|转交至|转交|转由|交由|转给|转到|转|责成|交办){_ORG}"
        rf"(?:调查|核实|办理|处理|进行|答复|回复|研究|跟进|核查)"
    ),
    re.compile(rf"经(?:过)?{_ORG}(?:调查|核实|核查|现场|进行|了解|实地|研究|会同|联合|查实)"),
    re.compile(
        rf"{_BOUNDARY}{_ORG}(?:高度重视|迅速|立即|及时|第一时间|组织|已|对此|会同|联合|"
        rf"进行了|现场|调查|接到|正在|将|于\d|认真|积极|多次|派|安排|召开|依法|按照)"
    ),
    re.compile(rf"{_BOUNDARY}{_ORG}\s*(?:\d{{4}}年)?\d{{1,2}}月\d{{1,2}}日\s*$"),
    re.compile(
        rf"(?:请|可)?(?:向|与|致电|咨询|联系|拨打){_ORG}(?:咨询|联系|反映|投诉|举报|询问|电话|申请)?"
    ),
    re.compile(rf"(?P<org>{_NAME}{{1,24}}?{_STRONG_SUFFIX})"),
]
# Words that end like an office but are not one, or name nobody in particular.
_NOT_OFFICES = {
    "我局",
    "本局",
    "我委",
    "我办",
    "我中心",
    "本中心",
    "我镇",
    "我乡",
    "我区",
    "我县",
    "该局",
    "相关部门",
    "有关部门",
    "上级部门",
    "职能部门",
    "主管部门",
    "政府",
    "我单位",
    "街道",
    "社区",
    "该区",
    "该县",
    "全区",
    "全县",
    "城区",
    "辖区",
    "小区",
    "片区",
    "景区",
}
_LEADING = re.compile(r"^(?:由|请|向|及|和|与|并|已|了|现|将|经|对|该|转|我们|我|您|你)+")
# A name cannot reach back over these: cut after the last one.
_CUT = re.compile(
    r".*(?:[的我您你在对向于将了与及或是把被从到给请由已]|指令|要求|立即|责成|转交|转至)"
)
_BARE = {
    "大队",
    "支队",
    "中队",
    "公司",
    "中心",
    "集团",
    "分局",
    "派出所",
    "部门",
    "办公室",
    "办事处",
    "委员会",
    "学校",
    "医院",
    "法院",
    "局",
    "委",
    "办",
    "站",
    "所",
    "处",
    "厅",
}


def _clean(org: str) -> str | None:
    org = _CUT.sub("", org)
    org = _LEADING.sub("", org)
    if len(org) < 2 or org in _NOT_OFFICES or org in _BARE or "相关" in org or "有关" in org:
        return None
    return org


def extract_office(reply: str) -> str | None:
    """The office a reply names as having handled the appeal, or None."""
    text = normalise(reply)
    if not text:
        return None
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            org = _clean(match.group("org"))
            if org:
                return org
    return None


# Long official names and their everyday short forms, for `office_kind`.
_ALIASES = [
    ("住房和城乡建设局", "住建局"),
    ("住房城乡建设局", "住建局"),
    ("人力资源和社会保障局", "人社局"),
    ("人力资源社会保障局", "人社局"),
    ("社会保障局", "人社局"),
    ("城市管理和行政执法局", "城管局"),
    ("城市管理综合执法局", "城管局"),
    ("城市管理局", "城管局"),
    ("城管执法局", "城管局"),
    ("城管部门", "城管局"),
    ("发展和改革委员会", "发改委"),
    ("改革委员会", "发改委"),
    ("卫生健康委员会", "卫健委"),
    ("卫生和计划生育委员会", "卫健委"),
    ("卫生计生委", "卫健委"),
    ("教育体育局", "教育局"),
    ("教育行政部门", "教育局"),
    ("交通运输局", "交通局"),
    ("交警部门", "交警"),
    ("交警支队", "交警"),
    ("交警大队", "交警"),
    ("环保部门", "生态环境局"),
    ("环境保护局", "生态环境局"),
    ("环保局", "生态环境局"),
    ("自然资源和规划局", "自然资源局"),
    ("国土资源局", "自然资源局"),
    ("城乡规划局", "规划局"),
    ("市场监督管理局", "市场监管局"),
    ("人民政府", "政府"),
]
_ADMIN_PREFIX = re.compile(r"^(?:[a-z]\d*[省市区县]|[\u3400-\u9fff]{0,6}?[省市区县])+(?=.)")
_ADMIN_ONLY = re.compile(r"^(?:[a-z]\d*|[\u3400-\u9fff]{0,6}?)[市区县]$")


def office_kind(office: str) -> str:
    """The kind of office, without its place: ``a7县住房和城乡建设局`` → ``住建局``.

    A district or county named alone stays as it is (``a5区``): the appeal
    went to that area's government. Used to pool the examples of the same
    kind of office in different places, which a router can learn from few.
    """
    name = normalise(office)
    if _ADMIN_ONLY.match(name):
        return name
    for long, short in _ALIASES:
        if name.endswith(long):
            name = name[: -len(long)] + short
            break
    stripped = _ADMIN_PREFIX.sub("", name)
    if len(stripped) < 2 or stripped in _BARE or stripped in {"城乡", "县", "市", "区"}:
        return name
    return stripped


_PLACE_RE = re.compile(r"[a-z]\d*[省市区县]")


def _places(text: str) -> set[str]:
    """The anonymised place names (``a7县``, ``a市`` …) a normalised text names."""
    return set(_PLACE_RE.findall(text))


class Router:
    """Suggest lead offices for appeal texts, learned from (text, office) pairs.

    With ``by_kind=True`` (offices of many places, as in a city's replies) the
    text classifier learns the kind of office (`office_kind`: 教育局, 交警 …),
    which pools the examples of the same office in different districts, and
    each kind's offices share its probability: in proportion to how many past
    appeals each handled, times `place_boost` for an office whose name holds
    a place (``a7县``) the appeal names. Without it (one district's units,
    as in the app) the classifier learns the offices themselves.
    """

    def __init__(
        self,
        *,
        min_examples: int = 3,
        by_kind: bool = False,
        place_boost: float = 20.0,
        random_state: int = 0,
    ) -> None:
        self.min_examples = min_examples
        self.by_kind = by_kind
        self.place_boost = place_boost
        self.random_state = random_state
        self._classifier = None
        self._members: dict[str, list[tuple[str, int, set[str]]]] = {}

    def fit(self, *, texts: Sequence[str], offices: Sequence[str | None]) -> Router:
        from shishi.combing.classify import Classifier

        counts = Counter(o for o in offices if o)
        keep = [i for i, o in enumerate(offices) if o and counts[o] >= self.min_examples]
        if len({offices[i] for i in keep}) < 2:
            raise ValueError("routing needs at least two offices with enough past appeals")
        labels = [offices[i] for i in keep]
        self._members = {}
        if self.by_kind:
            kinds = [office_kind(o) for o in labels]
            for office, n in Counter(labels).items():
                self._members.setdefault(office_kind(office), []).append(
                    (office, n, _places(normalise(office)))
                )
            labels = kinds
        self._classifier = Classifier(use_lsa=False, random_state=self.random_state).fit(
            texts=[texts[i] for i in keep], labels=labels
        )
        return self

    @property
    def offices(self) -> list[str]:
        if getattr(self, "_members", None):
            return sorted(o for members in self._members.values() for o, _, _ in members)
        return list(self._classifier.classes_) if self._classifier else []

    def suggest(self, *, texts: Sequence[str], top: int = 3) -> list[list[tuple[str, float]]]:
        """For each text, up to `top` (office, probability) pairs, best first."""
        if self._classifier is None:
            raise RuntimeError("fit() the router first")
        if not getattr(self, "_members", None):
            return self._classifier.top_k(texts=texts, k=top)
        out = []
        kinds = self._classifier.top_k(texts=texts, k=min(5, len(self._classifier.classes_)))
        for text, ranked in zip(texts, kinds, strict=True):
            named = _places(normalise(text))
            scored: list[tuple[str, float]] = []
            for kind, p in ranked:
                members = self._members[kind]
                weights = [
                    n * (self.place_boost if places & named else 1.0) for _, n, places in members
                ]
                total = sum(weights)
                scored.extend(
                    (office, p * w / total)
                    for (office, _, _), w in zip(members, weights, strict=True)
                )
            scored.sort(key=lambda pair: -pair[1])
            out.append(scored[:top])
        return out


# An office's name → the taxonomy's 一级分类 it answers for, by words in the
# name, first rule first (城乡建设 also holds city buses and the metro, as the
# taxonomy puts 公共汽车 and 地铁 under 城市建设和市政管理; 医保 before 医院).
# Offices of other fields (公安, 民政, 政府 …) give None. Read off the offices
# named in messages_with_replies.xlsx; on the tuning half of
# bench/data/classify_heldout.csv the rule names a category for 31% of the
# messages and is right for 83% of those.
OFFICE_CATEGORY_RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("城乡建设", ("公交", "轨道", "地铁", "ic卡")),
    (
        "劳动和社会保障",
        ("医保", "医疗保障", "社保", "社会保险", "人社", "人力资源", "劳动", "就业", "人才"),
    ),
    ("卫生计生", ("卫生", "卫计", "卫健", "计生", "医院", "疾控", "食安", "食品药品")),
    ("环境保护", ("环境", "环保", "生态")),
    (
        "教育文体",
        ("教育", "教体", "学校", "中学", "小学", "幼儿园", "文化", "文广", "体育", "文体", "广电"),
    ),
    (
        "交通运输",
        ("交通", "交警", "交管", "运管", "公路", "驾培", "高速", "客运", "铁路", "邮政", "车管"),
    ),
    ("商贸旅游", ("市场监督", "市场监管", "工商", "商务", "商粮", "旅游", "质监", "质检")),
    (
        "城乡建设",
        (
            "住建",
            "住房",
            "住保",
            "城管",
            "城乡建设",
            "规划",
            "房产",
            "房屋",
            "不动产",
            "自来水",
            "供水",
            "供电",
            "电力",
            "燃气",
            "园林",
            "环卫",
            "公积金",
            "建设局",
            "物业",
            "处遗",
            "棚改",
            "征收",
            "拆迁",
            "城投",
            "水务",
            "渣土",
        ),
    ),
)


def office_category(
    office: str | None, *, rules: Sequence[tuple[str, Sequence[str]]] = OFFICE_CATEGORY_RULES
) -> str | None:
    """The category an office answers for (``a7县教育局`` → ``教育文体``), or None:
    a weak label for the appeal it answered (see `classify.Classifier.fit`)."""
    if not office:
        return None
    name = normalise(office)
    for category, words in rules:
        if any(word in name for word in words):
            return category
    return None
