"""The results report (成效): the source's results paragraph (三是实干践行初心)
with every figure counted from the programmes' rows and linked to the list
of the rows it counts. A section of the campaign summary (shishi.reports),
in its page, its PDF and `shishi report summary`."""

from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse

from .figures import RESULTS, result_values

# The paragraph: text, with {key} where a figure goes. Each sentence is left
# out while none of its figures has anything to count, so a district without
# (say) a claims network does not report “0个登记点”.
SENTENCES = (
    "“万人助万企”走访调研企业{enterprises_visited}家，发现问题{enterprise_problems}个，"
    "现场解决问题{enterprise_problems_solved_on_spot}个，经台账办结{enterprise_problems_solved_later}个，"
    "正在办理{enterprise_problems_open}个。",
    "全区{online_services}项政务服务事项实现“网上办”，{mobile_bundles}个“一件事”实现“掌上办”。",
    "完成{roads_opened}条“断头路”打通工程，完成{roads_rebuilt}条道路综合改造工作，"
    "建成公共停车泊位{public_parking_spaces}个；"
    "{parking_lots_connected}个经营性停车场和{roadside_spaces_connected}个路侧泊位已接入智慧停车管理系统。",
    "{fitness_paths}条健身路径全部建成。",
    "分配公租房{rental_flats}套，完成{lifts_installed}部既有住宅加装电梯联审联批，"
    "加装充电桩{charging_points}个。",
    "建成社区养老服务中心{elderly_centres}家。",
    "新建续建中小学、幼儿园{schools_built}所，新增学位{school_places}个。",
    "在{claim_points}个村（社区）设立治安家财理赔受理登记点，在{claim_stations}个街道设立人保理赔工作站，"
    "派驻{claim_staff}名法官和理赔专员；受理理赔申请{claims}件，"
    "其中{claims_paid_within_24h}件在申请后24小时内拿到赔偿金，占{claims_paid_within_24h_share}。",
    "排查出险情{hazards_found}处，已消除{hazards_removed}处。",
)


@dataclass(frozen=True)
class Segment:
    text: str
    key: str = ""  # a figure: its text links to the list it counts
    url: str = ""


@dataclass(frozen=True)
class ResultsSection:
    sentences: list[list[Segment]]
    values: dict

    @property
    def is_empty(self) -> bool:
        return not self.sentences


def figure_url(key: str) -> str:
    """The list of the rows a figure counts, as an address that works from a
    downloaded document too."""
    return settings.SHISHI_SITE_URL.rstrip("/") + reverse("programmes:figure", args=[key])


def shown(key: str, value) -> str | None:
    """A figure as printed: a share as a percent; None when there is nothing to count."""
    if value is None:
        return None
    if key == "claims_paid_within_24h_share":
        from shishi.reports.summary import percent

        total = RESULTS["claims"].rows().count()
        paid = RESULTS["claims_paid_within_24h"].rows().count()
        return percent(paid, total)
    return f"{value}"


def _segments(sentence: str, values: dict) -> list[Segment]:
    segments, rest = [], sentence
    while "{" in rest:
        before, _, after = rest.partition("{")
        key, _, rest = after.partition("}")
        if before:
            segments.append(Segment(before))
        segments.append(Segment(shown(key, values[key]) or "—", key, figure_url(key)))
    if rest:
        segments.append(Segment(rest))
    return segments


def results_section() -> ResultsSection:
    values = result_values()
    sentences = []
    for sentence in SENTENCES:
        keys = [part.partition("}")[0] for part in sentence.split("{")[1:]]
        if any(values[key] for key in keys if key != "claims_paid_within_24h_share"):
            sentences.append(_segments(sentence, values))
    return ResultsSection(sentences=sentences, values=values)
