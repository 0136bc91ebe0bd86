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
from dataclasses import dataclass

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
            # Roads are often named with verbs (建设路, 互助路, 解放路): a bare
            # 路/街/村 takes the word before it whatever its tag.
            if (
                len(word) == 1
                and j >= 0
                and _NAME_RE.match(words[j])
                and words[j] not in _SINGLE_STOPS
                and words[j] not in _LEADING_WORDS
                and not words[j].endswith(_ADMIN_SUFFIXES)
            ):
                run.insert(0, words[j])
                j -= 1
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
        while len(run) > 1 and _tag(run[0]) in _LEADING_TAGS and len("".join(run[1:])) > 1:
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


# ---------------------------------------------------------------- matter fields
# What an appeal is about besides where: the object (路灯, 搅拌站, 公交 …) and
# the problem (噪音, 停水, 拖欠 …), each a canonical name with the words that
# name it. Found by one regular expression each, longest word first, so it
# costs no segmentation (clustering reads every appeal). Two appeals about
# one object at one place are usually one matter; about two objects, not.
OBJECTS: dict[str, tuple[str, ...]] = {
    "路灯": ("路灯", "高杆灯", "照明", "灯光", "长明灯"),
    "红绿灯": ("红绿灯", "信号灯", "绿灯", "红灯"),
    "斑马线": ("斑马线", "人行横道"),
    "天桥": ("天桥", "地下通道", "过街设施"),
    "公交": ("公交", "巴士", "中巴", "首末站", "站牌"),
    "地铁": ("地铁", "轨道交通"),
    "停车": ("停车", "车位", "违停", "乱停"),
    "道路": ("道路", "路面", "水泥路", "烂泥路", "泥巴路", "公路", "修路", "断头路", "硬化"),
    "供水": ("自来水", "供水", "停水", "水压", "用水", "水质", "二次供水"),
    "燃气": ("天然气", "燃气", "煤气"),
    "供电": ("电压", "停电", "供电", "电表"),
    "高压线": ("高压线", "高压电", "电线杆", "变电站", "110kv"),
    "搅拌站": ("搅拌站", "搅拌厂", "混凝土"),
    "工地": ("工地", "施工", "打桩"),
    "渣土车": ("渣土车", "拖土车", "泥头车", "土方车"),
    "货车": ("货车", "大货车", "物流"),
    "油烟": ("油烟", "烟道", "排烟"),
    "餐饮": ("餐饮", "餐馆", "饭店", "夜宵", "烧烤", "小吃", "快餐", "餐厅", "酒楼"),
    "麻将": ("麻将", "棋牌"),
    "娱乐场所": ("ktv", "歌厅", "会所", "酒吧", "广场舞"),
    "垃圾": ("垃圾站", "垃圾", "焚烧"),
    "电梯": ("电梯",),
    "消防": ("消防",),
    "幼儿园": ("幼儿园", "入园", "托管", "早教"),
    "入学": ("入学", "学位", "上学", "就读", "学区", "插班"),
    "学费": ("学费", "班费", "补课"),
    "房屋质量": ("开裂", "漏水", "渗水", "裂缝", "墙面", "外墙", "楼板", "质量问题"),
    "物业": ("物业",),
    "商铺": ("商铺", "格子铺", "门面", "底商", "住改商"),
    "拆迁": ("拆迁", "征收", "征地", "安置", "旧城改造", "旧改"),
    "公园": ("公园", "广场", "绿道"),
    "违建": ("违建", "违章建筑", "违章搭建", "违法建筑", "加层", "搭建"),
    "信号": ("手机信号", "信号", "基站"),
    "工资": ("工资", "工钱", "农民工"),
    "医院": ("医院", "卫生院", "诊所"),
    "养老": ("养老院", "养老", "老年"),
    "传销": ("传销",),
    "赌博": ("赌博", "赌场"),
    "培训": ("培训", "补习", "辅导班"),
    "犬": ("养狗", "狗", "犬"),
    "排水": ("下水道", "排水", "积水", "污水", "化粪池", "粪"),
    "房产证": ("房产证", "不动产证", "两证", "产权证", "网签", "备案"),
    "退款": ("退款", "退房", "定金", "首付"),
    "户籍": ("户口", "户籍", "落户", "准迁"),
    "社保": ("社保", "医保", "养老保险", "公积金"),
    "绿化": ("绿化", "绿地", "树木", "杂草"),
}
PROBLEMS: dict[str, tuple[str, ...]] = {
    "噪音": ("噪音", "噪声", "扰民", "吵", "鸣笛", "轰鸣"),
    "污染": ("污染", "粉尘", "灰尘", "扬尘", "异味", "臭", "熏"),
    "损坏": ("损坏", "破损", "坑洼", "不亮", "故障", "脱落", "垮塌", "破烂", "坏"),
    "拥堵": ("拥堵", "堵车", "堵塞"),
    "停水停电": ("停水", "停电", "无水", "水压不足"),
    "拖欠": ("拖欠", "欠款", "不退", "退款", "讨薪"),
    "收费": ("乱收费", "乱收", "收费", "停车费", "物业费", "涨价", "上调", "虚高", "涨了"),
    "违规": ("违规", "违法", "非法", "无证", "不合规"),
    "迟缓": ("何时", "什么时候", "迟迟", "进度", "动工", "开工", "拖延", "烂尾"),
    "隐患": ("隐患", "危险", "事故"),
    "增设": ("增设", "增加", "开通", "新建", "修建", "安装"),
    "占用": ("占用", "侵占", "霸占", "占道"),
    "不足": ("不足", "太少", "难", "不方便"),
}


def _lexicon_re(lexicon: dict[str, tuple[str, ...]]) -> tuple[re.Pattern, dict[str, int]]:
    words = sorted({w for ws in lexicon.values() for w in ws}, key=lambda w: (-len(w), w))
    ids = {name: i for i, name in enumerate(lexicon)}
    to_id = {w: ids[name] for name, ws in lexicon.items() for w in ws}
    return re.compile("|".join(re.escape(w) for w in words)), to_id


_OBJECT_RE, _OBJECT_ID = _lexicon_re(OBJECTS)
_PROBLEM_RE, _PROBLEM_ID = _lexicon_re(PROBLEMS)
_OBJECT_NAMES = list(OBJECTS)
_PROBLEM_NAMES = list(PROBLEMS)
# Objects and problems are read in the first characters only: the title and
# the opening say what the appeal is about; a long body mentions everything.
FIELD_CHARS = 120


def object_ids(text: str) -> list[int]:
    """Ids (positions in `OBJECTS`) of the objects a normalised text names."""
    return sorted({_OBJECT_ID[m] for m in _OBJECT_RE.findall(text[:FIELD_CHARS])})


def problem_ids(text: str) -> list[int]:
    return sorted({_PROBLEM_ID[m] for m in _PROBLEM_RE.findall(text[:FIELD_CHARS])})


@dataclass(frozen=True)
class MatterFields:
    """Where, what and what is wrong, as an appeal's head says it."""

    places: list[str]
    objects: list[str]
    problems: list[str]


def matter_fields(text: str) -> MatterFields:
    """Structured fields of a normalised text: places (`extract_places`, the
    most specific first), objects and problems (canonical names)."""
    head = text[:FIELD_CHARS]
    found = extract_places(head)
    found.sort(key=lambda p: (_is_admin(p), -len(p)))
    return MatterFields(
        places=found,
        objects=[_OBJECT_NAMES[i] for i in object_ids(text)],
        problems=[_PROBLEM_NAMES[i] for i in problem_ids(text)],
    )


_ADMIN_RE = re.compile(r"^[0-9a-z]*[市区县省]$|^[0-9a-z]+[0-9]*[市区县]")


def _is_admin(place: str) -> bool:
    return bool(_ADMIN_RE.match(place))


# A place name as a span of text: up to four name characters and a place
# ending. Crude (it may take a character too many), but fast, and only used to
# take places out of a title before comparing what two titles say.
_PLACE_SPAN_RE = re.compile(
    r"[\u3400-\u9fff0-9a-z]{1,4}?(?:小区|社区|花园|家园|公园|新城|新村|大道|广场|大厦|公寓|学校"
    r"|小学|中学|大学|学院|幼儿园|医院|市场|街道|村|镇|乡|路|街|巷|苑|城|园|湾|组|栋|期|县|区|市)"
)


def strip_places(text: str) -> str:
    """The text with place-like spans (and administrative areas) replaced by a space."""
    return _PLACE_SPAN_RE.sub(" ", text)
