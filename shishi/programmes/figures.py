"""The programmes' results, each counted from rows: one figure, one function.

Every figure names the rows it counts (`rows`), so the results report links
each number to the list of exactly those rows (/programmes/figures/KEY/).
`shishi stats` prints STATS_KEYS (shishi.core.stats calls stats_values)."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import F, QuerySet, Sum

from shishi.ledger.models import ItemKind, ItemStatus, LedgerItem

from .models import (
    Asset,
    AssetKind,
    ClaimApplication,
    ClaimPoint,
    ClaimStaff,
    ClaimStation,
    EnterpriseVisit,
    ForumAttendee,
    HouseholdVisit,
    QuestionnaireResponse,
    ServiceBundle,
    ServiceItem,
    TargetSource,
    TargetSourceKind,
)

CLAIM_PAID_WITHIN = dt.timedelta(hours=24)


def _items(kind: str) -> QuerySet:
    # Opened and not withdrawn: drafts are not yet findings, cancelled ones were mistakes.
    return LedgerItem.objects.public().filter(kind=kind).exclude(status=ItemStatus.CANCELLED)


def enterprise_problems() -> QuerySet:
    return _items(ItemKind.ENTERPRISE_PROBLEM)


def hazards() -> QuerySet:
    return _items(ItemKind.HAZARD)


def claims() -> QuerySet:
    return ClaimApplication.objects.exclude(item__status=ItemStatus.CANCELLED)


def claims_paid_within_24h() -> QuerySet:
    """Paid (its item settled) no later than 24 hours after the application."""
    return claims().filter(
        item__status=ItemStatus.SETTLED,
        item__settled_at__lte=F("applied_at") + CLAIM_PAID_WITHIN,
    )


def _assets(kind: str, connected: bool = True) -> QuerySet:
    rows = Asset.objects.filter(kind=kind)
    return rows.filter(connected=True) if connected else rows


def _quantity(rows: QuerySet) -> int:
    return rows.aggregate(n=Sum("quantity"))["n"] or 0


@dataclass(frozen=True)
class Result:
    key: str
    label: str
    unit: str
    rows: Callable[[], QuerySet]  # the rows the figure counts
    # The figure from its rows; by default their number.
    value: Callable[[QuerySet], int | float | None] = QuerySet.count


def _share(rows: QuerySet) -> float | None:
    total = claims().count()
    return round(rows.count() / total, 4) if total else None


RESULTS: dict[str, Result] = {
    r.key: r
    for r in [
        Result(
            "enterprises_visited",
            "走访调研企业",
            "家",
            EnterpriseVisit.objects.all,
            lambda rows: rows.values("enterprise").distinct().count(),
        ),
        Result("enterprise_visits", "走访企业", "次", EnterpriseVisit.objects.all),
        Result("enterprise_problems", "企业问题", "个", enterprise_problems),
        Result(
            "enterprise_problems_solved_on_spot",
            "现场解决问题",
            "个",
            lambda: enterprise_problems().filter(status=ItemStatus.SETTLED, settled_on_spot=True),
        ),
        Result(
            "enterprise_problems_solved_later",
            "经台账办结问题",
            "个",
            lambda: enterprise_problems().filter(status=ItemStatus.SETTLED, settled_on_spot=False),
        ),
        Result(
            "enterprise_problems_open",
            "企业问题办理中",
            "个",
            lambda: enterprise_problems().exclude(status=ItemStatus.SETTLED),
        ),
        Result("hazards_found", "排查出险情", "处", hazards),
        Result(
            "hazards_removed",
            "已消除险情",
            "处",
            lambda: hazards().filter(status=ItemStatus.SETTLED),
        ),
        Result("claim_points", "理赔受理登记点", "个", ClaimPoint.objects.all),
        Result("claim_stations", "人保理赔工作站", "个", ClaimStation.objects.all),
        Result("claim_staff", "法官和理赔专员", "名", ClaimStaff.objects.all),
        Result("claims", "理赔申请", "件", claims),
        Result("claims_paid_within_24h", "24小时内赔付", "件", claims_paid_within_24h),
        Result(
            "claims_paid_within_24h_share", "24小时内赔付占比", "", claims_paid_within_24h, _share
        ),
        Result("questionnaire_responses", "回收调查问卷", "份", QuestionnaireResponse.objects.all),
        Result("household_visits", "入户走访", "人次", HouseholdVisit.objects.all),
        Result("forum_attendees", "座谈会参会", "人次", ForumAttendee.objects.all),
        Result(
            "online_services",
            "实现“网上办”的政务服务事项",
            "项",
            lambda: ServiceItem.objects.filter(online=True),
        ),
        Result("services", "政务服务事项", "项", ServiceItem.objects.all),
        Result(
            "mobile_bundles",
            "实现“掌上办”的“一件事”",
            "个",
            lambda: ServiceBundle.objects.filter(mobile=True),
        ),
        Result(
            "parking_lots_connected",
            "接入智慧停车的经营性停车场",
            "个",
            lambda: _assets(AssetKind.CAR_PARK),
        ),
        Result(
            "roadside_spaces_connected",
            "接入智慧停车的路侧泊位",
            "个",
            lambda: _assets(AssetKind.ROADSIDE_SPACE),
        ),
        Result("roads_opened", "打通“断头路”", "条", lambda: _assets(AssetKind.ROAD_OPENED)),
        Result("roads_rebuilt", "道路综合改造", "条", lambda: _assets(AssetKind.ROAD_REBUILT)),
        Result(
            "public_parking_spaces",
            "建成公共停车泊位",
            "个",
            lambda: _assets(AssetKind.PUBLIC_PARKING),
            _quantity,
        ),
        Result("charging_points", "加装充电桩", "个", lambda: _assets(AssetKind.CHARGING_POINT)),
        Result(
            "lifts_installed", "既有住宅加装电梯联审联批", "部", lambda: _assets(AssetKind.LIFT)
        ),
        Result("fitness_paths", "建成健身路径", "条", lambda: _assets(AssetKind.FITNESS_PATH)),
        Result(
            "elderly_centres",
            "建成社区养老服务中心",
            "家",
            lambda: _assets(AssetKind.ELDERLY_CENTRE),
        ),
        Result(
            "rental_flats",
            "分配公租房",
            "套",
            lambda: _assets(AssetKind.RENTAL_FLAT),
            _quantity,
        ),
        Result("schools_built", "新建续建中小学、幼儿园", "所", lambda: _assets(AssetKind.SCHOOL)),
        Result(
            "school_places",
            "新增学位",
            "个",
            lambda: _assets(AssetKind.SCHOOL),
            _quantity,
        ),
    ]
}

# The keys `shishi stats` prints (names others depend on).
STATS_KEYS = (
    "enterprises_visited",
    "enterprise_problems",
    "enterprise_problems_solved_on_spot",
    "hazards_found",
    "hazards_removed",
    "claim_points",
    "claim_stations",
    "claim_staff",
    "claims",
    "claims_paid_within_24h_share",
    "questionnaire_responses",
    "household_visits",
    "online_services",
    "parking_lots_connected",
    "roadside_spaces_connected",
)


def result_value(key: str) -> int | float | None:
    result = RESULTS[key]
    return result.value(result.rows())


def result_values(keys=None) -> dict[str, int | float | None]:
    return {key: result_value(key) for key in keys or RESULTS}


def stats_figures() -> dict[str, tuple[str, str]]:
    """Label and unit of each figure `shishi stats` prints."""
    return {key: (RESULTS[key].label, RESULTS[key].unit) for key in STATS_KEYS}


def stats_values() -> dict[str, int | float | None]:
    return result_values(STATS_KEYS)


# --------------------------------------------------- computed target actuals

SOURCE_RESULTS = {
    TargetSourceKind.ON_SPOT: "enterprise_problems_solved_on_spot",
    TargetSourceKind.ENTERPRISE_VISITS: "enterprises_visited",
    TargetSourceKind.ONLINE_SERVICES: "online_services",
    TargetSourceKind.HOUSEHOLD_VISITS: "household_visits",
    TargetSourceKind.QUESTIONNAIRE_RESPONSES: "questionnaire_responses",
}


def target_source_value(source: TargetSource) -> int:
    """What a bound target's actual is now."""
    if source.kind == TargetSourceKind.PROGRAMME_SETTLED:
        return source.programme.items.filter(status=ItemStatus.SETTLED).count()
    if source.kind == TargetSourceKind.ASSETS:
        return _assets(source.asset_kind).count()
    if source.kind == TargetSourceKind.ASSET_QUANTITY:
        return _quantity(_assets(source.asset_kind))
    return result_value(SOURCE_RESULTS[source.kind]) or 0
