"""Place-like names in an appeal: 小区, 路, 街道, 社区, 村, 镇, 县, 区, 学校 …

The text is cut into jieba words (precise mode, the same tokenizer as
`text.segment`). A place ends in a word that is or ends with one of the
`SUFFIXES`; it reaches back over at most three name-like words: words whose
part-of-speech in jieba's own dictionary is not a verb, preposition,
pronoun, adverb, conjunction, particle or direction, and which are not
themselves an administrative area (so ``a市a3区桐梓坡西路`` gives ``a市``,
``a3区`` and ``桐梓坡西路``, not one long name). Leading adjectives, verbal
nouns and time words are trimmed (``位于书院路`` → ``书院路``), and generic
names (``小区``, ``该小区``, ``道路``) are dropped. Good enough to label a
cluster with where its appeals come from; not a gazetteer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from shishi.combing.text import tokenizer

SUFFIXES = (
    "街道办事处",
    "居委会",
    "村委会",
    "小区",
    "花园",
    "家园",
    "新村",
    "社区",
    "街道",
    "大道",
    "学校",
    "小学",
    "中学",
    "大学",
    "幼儿园",
    "医院",
    "公园",
    "广场",
    "市场",
    "大厦",
    "公寓",
    "路",
    "街",
    "巷",
    "村",
    "镇",
    "乡",
    "县",
    "区",
    "市",
    "苑",
    "城",
)
_ADMIN_SUFFIXES = ("市", "区", "县", "省", "镇", "乡", "街道")
# jieba tags that cannot be inside a place name / cannot start one.
_BLOCK_TAGS = {"v", "vd", "p", "c", "d", "r", "rr", "rz", "u", "uj", "ul", "uz", "ud", "ug", "uv"}
_BLOCK_TAGS |= {"y", "e", "o", "f", "q", "zg"}
_LEADING_TAGS = {"vn", "a", "ad", "an", "t", "m", "b", "l"}
# Words that often stand right before a place but are not part of it.
_LEADING_WORDS = {
    "原",
    "规范",
    "咨询",
    "开发商",
    "户口",
    "全",
    "各",
    "整个",
    "附近",
    "周边",
    "地处",
    "问问",
    "而",
}
_SINGLE_STOPS = set(
    "的在到和与及是了对向从把被给为于将让我你他她这那该本各每有无去来说要请问就也都还又"
)
_NAME_RE = re.compile(r"^[0-9a-z\u3400-\u9fff]+$")
_GENERIC = {
    "小区",
    "社区",
    "街道",
    "学校",
    "小学",
    "中学",
    "大学",
    "医院",
    "公园",
    "广场",
    "市场",
    "城",
    "城区",
    "市区",
    "县城",
    "农村",
    "乡村",
    "城市",
    "地区",
    "辖区",
    "片区",
    "园区",
    "景区",
    "校区",
    "全市",
    "全区",
    "全县",
    "本市",
    "本区",
    "本县",
    "山区",
    "郊区",
    "省市",
    "城乡",
    "道路",
    "马路",
    "公路",
    "线路",
    "思路",
    "出路",
    "街",
    "路",
    "村",
    "镇",
    "乡",
    "县",
    "区",
    "市",
    "苑",
    "新城",
    "老城",
    "进城",
    "商城",
    "农贸市场",
    "菜市场",
    "走路",
    "沿路",
    "上路",
    "一路",
    "水泥路",
    "泥巴路",
    "大马路",
    "省",
}

_tags: dict[str, str] | None = None


def _tag(word: str) -> str:
    global _tags
    if _tags is None:
        from jieba.posseg import POSTokenizer

        _tags = POSTokenizer(tokenizer()).word_tag_tab
    return _tags.get(word, "")


def _is_place_end(word: str) -> bool:
    return word.endswith(SUFFIXES)


def extract_places(text: str) -> list[str]:
    """Place names in order of first appearance, each once. `text` should be normalised."""
    words = tokenizer().lcut(text, HMM=False)
    seen: dict[str, None] = {}
    for i, word in enumerate(words):
        if not _is_place_end(word) or not _NAME_RE.match(word):
            continue
        run = [word]
        if word not in _GENERIC or len(word) == 1 or word in SUFFIXES:
            j = i - 1
            while j >= 0 and len(run) < 4:
                prev = words[j]
                if not _NAME_RE.match(prev):
                    break
                # jieba splits unknown names into single characters whatever
                # their tag (丽/发/新城): those count as name unless a function word.
                if (len(prev) > 1 or prev in _SINGLE_STOPS) and _tag(prev) in _BLOCK_TAGS:
                    break
                if prev.endswith(_ADMIN_SUFFIXES) or prev in _LEADING_WORDS:
                    break
                run.insert(0, prev)
                j -= 1
        while len(run) > 1 and _tag(run[0]) in _LEADING_TAGS:
            run.pop(0)
        name = "".join(run)
        if len(name) < 2 or name in _GENERIC or name.isdigit() or len(name) > 14:
            continue
        seen.setdefault(name, None)
    return list(seen)


def top_places(texts: Iterable[str], *, limit: int = 3, min_share: float = 0.2) -> list[str]:
    """The places most appeals of a group name (each appeal counted once per place).

    A place must appear in at least `min_share` of the texts (and in two of
    them when there are several), so one appeal's aside does not label the
    whole group. Administrative-only names (``a市``, ``a3区``) come last:
    they say little when a more specific place is shared.
    """
    texts = list(texts)
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(set(extract_places(text)))
    needed = max(1.0, min_share * len(texts), 2.0 if len(texts) > 2 else 1.0)
    admin = re.compile(r"^[0-9a-z]*[市区县省]$")
    common = [(p, c) for p, c in counts.items() if c >= needed]
    common.sort(key=lambda pc: (bool(admin.match(pc[0])), -pc[1], -len(pc[0]), pc[0]))
    return [p for p, _ in common[:limit]]
