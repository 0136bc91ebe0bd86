"""The demo district's programmes (专项工作) and their records, giving the
source's results paragraph (三是实干践行初心) as counts of rows:

- 万人助万企: 656 enterprises visited, 215 problems solved on the spot (4
  more open, waiting for a leader; the 6 the builder opens are solved
  through the ledger);
- 隐患排查: the builder's 32 hazards, put into the programme;
- 灾后理赔: 14 stations, 152 registration points, 28 judges and specialists;
  48 applications, paid within hours (two late);
- the service catalogue (1,343 services online, 50 一件事 on the phone) and
  the asset register (115 car parks, 1,049 roadside spaces, 7,361 public
  spaces, 217 charging points, 37 lifts, 65 fitness paths, …);
- 17,643 questionnaire responses and 6,224 household visits: one per
  questionnaire issued and household visited in the builder's batches and
  rounds, with the appeals raised in them linked to one each; each forum's
  attendees, as many as it counted.

`schedule(builder)` is called once from the demo builder's plan: it puts
these actions on the builder's simulated clock. It draws from its own
random generator, so the rest of the demo is unchanged. Every write goes
through the services; the thousands of rows through their bulk paths."""

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from shishi.intake.models import Appeal, Channel
from shishi.ledger import services as ledger
from shishi.ledger.models import ItemKind, LedgerItem, Target

from . import services
from .models import (
    Asset,
    AssetKind,
    ClaimStaffRole,
    HouseholdVisit,
    QuestionnaireResponse,
    ServiceItem,
    TargetSourceKind,
)

ENTERPRISES_VISITED = 656
SOLVED_ON_SPOT = 215
PROBLEMS_STILL_OPEN = 4
CLAIM_POINTS = 152
CLAIM_STAFF = 28
CLAIMS = 48
CLAIMS_PAID_LATE = 2
SERVICES = 1_343
MOBILE_SERVICES = 1_021
BUNDLES = 50
# kind: (rows connected or in use, rows not (yet) connected, total quantity or None)
ASSETS = {
    AssetKind.CAR_PARK: (115, 7, None),
    AssetKind.ROADSIDE_SPACE: (1_049, 36, None),
    AssetKind.PUBLIC_PARKING: (24, 0, 7_361),
    AssetKind.CHARGING_POINT: (217, 0, None),
    AssetKind.LIFT: (37, 0, None),
    AssetKind.FITNESS_PATH: (65, 0, None),
    AssetKind.ELDERLY_CENTRE: (55, 0, None),
    AssetKind.RENTAL_FLAT: (12, 0, 940),
    AssetKind.ROAD_OPENED: (15, 0, None),
    AssetKind.ROAD_REBUILT: (10, 0, None),
    AssetKind.SCHOOL: (20, 0, 6_360),
}
QUESTIONS = (
    "您认为所在社区最需要解决的问题是什么？",
    "您对教育、交通、住房、养老等民生服务的满意程度如何？",
    "您希望区里今年办成哪几件实事？",
    "您对我们的工作还有哪些意见和建议？",
)
ATTENDEE_ROLES = ("居民代表", "党员代表", "楼院长", "网格员", "企业代表", "人大代表", "政协委员")
ANSWERS = ("停车难", "老旧小区改造", "加装电梯", "入学难", "养老服务", "道路破损", "无")
ENTERPRISE_STEMS = (
    "金泰 宏达 华中 中原 豫信 恒通 瑞丰 鑫源 汇通 博创 天成 安达 正弘 康达 新亚 永盛 "
    "嘉禾 众诚 锦华 兴业 同创 中科 国信 聚力 明远 东方 佳和 信达 宏图 立德"
).split()
ENTERPRISE_TRADES = (
    "制罐 纺织 服饰 电子 机械 食品 物流 建材 医药 包装 印务 科技 软件 商贸 餐饮 "
    "汽车服务 新材料 环保 检测 装饰 家具 广告 电气 能源"
).split()
ENTERPRISE_PROBLEMS = (
    ("企业门前道路破损影响货车通行", "区城建局"),
    ("厂区周边路灯不亮", "区城管局"),
    ("办理排污许可证流程不清", "区政务服务和大数据管理局"),
    ("员工子女入学咨询", "区教育局"),
    ("企业用电增容报装慢", "区工信局"),
    ("招工难，希望对接用工信息", "区人社局"),
    ("消防验收咨询", "区应急管理局"),
    ("惠企政策申报不了解", "区工信局"),
)
SERVICE_DEPARTMENTS = (
    "区政务服务和大数据管理局",
    "区市场监管局",
    "区人社局",
    "区民政局",
    "区卫健委",
    "区教育局",
    "区住建局",
    "区城管局",
)
SERVICE_VERBS = ("办理", "变更", "注销", "备案", "审核", "查询", "补办", "延续")
SERVICE_OBJECTS = (
    "营业执照",
    "食品经营许可",
    "社会保险登记",
    "就业失业登记",
    "低保申请",
    "医师执业注册",
    "民办学校设立",
    "建筑施工许可",
    "户外广告设置",
    "城市道路占用",
    "残疾人证",
    "养老服务补贴",
    "临时救助",
    "职业技能证书",
    "个体工商户登记",
    "药品经营许可",
    "二次供水卫生许可",
    "公租房资格",
    "不动产登记",
    "公共场所卫生许可",
    "生育登记",
    "婚姻登记预约",
)
BUNDLE_NAMES = (
    "开办餐馆",
    "开办便利店",
    "开办药店",
    "开办健身房",
    "开办美容美发店",
    "开办宾馆",
    "开办超市",
    "开办书店",
    "开办幼儿园",
    "开办培训机构",
    "新生儿出生",
    "退休",
    "就业创业",
    "残疾人服务",
    "公租房申请",
    "不动产登记",
    "企业注销",
    "二手房交易",
    "新建住宅交房",
    "军人退役",
)


def schedule(builder) -> None:
    """Put the programmes' part of the demo on the builder's clock."""
    Demo(builder).schedule()


class Demo:
    def __init__(self, builder):
        self.b = builder
        self.rng = random.Random(f"shishi-demo-programmes-{builder.seed}")  # noqa: S311 (demo data)
        self.programmes: dict[str, object] = {}

    @property
    def admin(self):
        return self.b.users["admin"]

    def schedule(self) -> None:
        b = self.b
        b.at(b.t(-1, 4, 16), self.setup)
        # Each batch's responses and each round's visits, entered the day after.
        for event in b.events:
            if event.channel in (Channel.QUESTIONNAIRE, Channel.VISIT):
                b.at(event.when + dt.timedelta(days=1), self.record_collection, event)
            elif event.channel == Channel.FORUM:
                b.at(event.when + dt.timedelta(hours=3), self.record_attendees, event)
        # The appeals raised in them, once the collection is over (week 5).
        b.at(b.t(5, 0, 8), self.link_appeals)
        # 万人助万企: eight rounds of visits, weeks 7–21.
        visits = self.split(ENTERPRISES_VISITED, 8)
        solved = self.split(SOLVED_ON_SPOT, 8)
        names = self.enterprise_names(ENTERPRISES_VISITED)
        start = 0
        for n, (count, on_spot) in enumerate(zip(visits, solved, strict=True)):
            when = b.t(7 + 2 * n, 2, 9)
            b.at(when, self.visit_round, names[start : start + count], on_spot, n == 7)
            start += count
        # 灾后理赔 after the July rains: weeks 19–20.
        for n in range(CLAIMS):
            applied = b.t(19, 0, 8) + dt.timedelta(minutes=n * 197 + self.rng.randint(0, 90))
            late = n % (CLAIMS // CLAIMS_PAID_LATE) == CLAIMS // CLAIMS_PAID_LATE - 1
            b.at(applied, self.claim_apply, n, late)
        # Items the builder opens, put into their programmes; targets bound.
        b.at(b.t(22, 0, 8), self.adopt_items)
        # Last: the builder's own weekly reports type these targets' actuals
        # until then (a typed actual is rewritten by the next refresh).
        b.at(b.now, self.bind_targets)

    # ----------------------------------------------------------- helpers

    def split(self, total: int, n: int) -> list[int]:
        base, extra = divmod(total, n)
        return [base + (1 if i < extra else 0) for i in range(n)]

    def enterprise_names(self, n: int) -> list[str]:
        names = [f"郑州{s}{t}有限公司" for s in ENTERPRISE_STEMS for t in ENTERPRISE_TRADES]
        self.rng.shuffle(names)
        return names[:n]

    def today(self) -> dt.date:
        return timezone.localdate()

    # ----------------------------------------------------------- week −1

    def setup(self) -> None:
        b, admin, rng = self.b, self.admin, self.rng
        units = b.units
        for code, name, lead in (
            ("wanren-zhu-wanqi", "万人助万企", "区工信局"),
            ("hazard-survey", "隐患排查", "区人防办"),
            ("flood-claims", "灾后理赔", "区委政法委"),
            ("business-environment", "营商环境监督", "区发改委"),
        ):
            self.programmes[code] = services.programme_create(
                code=code, name=name, actor=admin, lead_unit=units.get(lead)
            )
        self.questionnaire = services.questionnaire_create(
            title="“我为群众办实事”需求调查问卷",
            questions=QUESTIONS,
            actor=admin,
        )
        # The claims network: a station per street, 152 points, 28 staff.
        from shishi.demo import corpus

        claims = self.programmes["flood-claims"]
        self.stations = []
        per_street = self.split(CLAIM_POINTS, len(corpus.STREETS))
        self.points = []
        for street, n_points in zip(corpus.STREETS, per_street, strict=True):
            station = services.claim_station_create(
                programme=claims,
                name=f"{street.name}“一站式多元化矛调中心”人保理赔工作站",
                unit=units[street.name],
                actor=admin,
            )
            self.stations.append(station)
            communities = b.communities[street.name]
            for i in range(n_points):
                community = communities[i] if i < len(communities) else None
                name = (
                    f"{community.name}治安家财理赔受理登记点"
                    if community
                    else f"{street.name}第{i + 1}网格治安家财理赔受理登记点"
                )
                self.points.append(
                    services.claim_point_create(
                        station=station, name=name, community=community, actor=admin
                    )
                )
            for role in (ClaimStaffRole.JUDGE, ClaimStaffRole.SPECIALIST):
                services.claim_staff_create(
                    station=station, name=self.person_name(), role=role, actor=admin
                )
        # The catalogue and the asset register.
        rows, seen = [], set()
        while len(rows) < SERVICES:
            department = rng.choice(SERVICE_DEPARTMENTS)
            name = f"{rng.choice(SERVICE_OBJECTS)}{rng.choice(SERVICE_VERBS)}"
            if (department, name) in seen:
                name = f"{name}（{department[1:-1]}）"
                if (department, name) in seen:
                    continue
            seen.add((department, name))
            rows.append(
                ServiceItem(
                    code=f"ZY{len(rows) + 1:05d}",
                    name=name,
                    department=department,
                    online=True,
                    mobile=len(rows) < MOBILE_SERVICES,
                )
            )
        services.service_items_store(rows=rows, actor=admin)
        for n in range(BUNDLES):
            base = BUNDLE_NAMES[n % len(BUNDLE_NAMES)]
            suffix = "" if n < len(BUNDLE_NAMES) else f"（{'二三'[n // len(BUNDLE_NAMES) - 1]}期）"
            services.service_bundle_create(name=f"{base}“一件事”{suffix}", actor=admin, mobile=True)
        assets = []
        for kind, (connected, not_connected, quantity) in ASSETS.items():
            parts = self.split(quantity, connected) if quantity else [1] * connected
            for n in range(connected + not_connected):
                street = rng.choice(corpus.STREETS)
                assets.append(
                    Asset(
                        kind=kind,
                        code=f"{kind.upper()}-{n + 1:04d}",
                        name=f"{street.name}{rng.choice(street.roads)}{AssetKind(kind).label}{n + 1}",
                        address=f"{street.name}{rng.choice(street.roads)}",
                        unit=units[street.name],
                        connected=n < connected,
                        quantity=parts[n] if n < connected else 1,
                        completed_on=self.today() if n < connected else None,
                    )
                )
        services.assets_store(rows=assets, actor=admin)

    def person_name(self) -> str:
        from shishi.demo import corpus

        return self.rng.choice(corpus.SURNAMES) + self.rng.choice(corpus.MALE_GIVEN)

    # ----------------------------------------------------------- collection

    def record_collection(self, event) -> None:
        b, rng = self.b, self.rng
        clerk = b.clerks[0]
        communities = b.communities.get(event.street.name, []) if event.street else []
        day = self.today()
        if event.channel == Channel.QUESTIONNAIRE:
            responses = [
                {
                    "answered_on": day,
                    "community": rng.choice(communities) if communities else None,
                    "answers": {"1": rng.choice(ANSWERS)},
                }
                for _ in range(event.count)
            ]
            services.questionnaire_responses_record(
                questionnaire=self.questionnaire, event=event.obj, responses=responses, actor=clerk
            )
        else:
            visitor = b.users[b.handler_of[event.unit_name]]
            roads = event.street.roads if event.street else ("建设路",)
            visits = [
                {
                    "household": f"{rng.choice(roads)}{rng.randint(1, 200)}号院"
                    f"{rng.randint(1, 12)}号楼{rng.randint(1, 6)}{rng.randint(1, 3):02d}",
                    "visitor": visitor,
                    "community": rng.choice(communities) if communities else None,
                    "visited_on": day,
                }
                for _ in range(event.count)
            ]
            services.household_visits_record(visits=visits, event=event.obj, actor=clerk)

    def record_attendees(self, event) -> None:
        """A forum's sign-in sheet: as many attendees as the forum counted."""
        rng = self.rng
        if event.street:
            places = [c.name for c in self.b.communities.get(event.street.name, [])]
        else:
            places = [event.unit_name]
        services.forum_attendees_record(
            event=event.obj,
            attendees=[
                {
                    "name": self.person_name(),
                    "affiliation": f"{rng.choice(places)}{rng.choice(ATTENDEE_ROLES)}",
                }
                for _ in range(event.count)
            ],
            actor=self.b.clerks[0],
        )

    def link_appeals(self) -> None:
        """Each appeal raised in a batch or round is linked to one response or
        visit of it, in order."""
        links = []
        for channel, model in (
            (Channel.QUESTIONNAIRE, QuestionnaireResponse),
            (Channel.VISIT, HouseholdVisit),
        ):
            records: dict[int, list] = {}
            for record in model.objects.filter(event__channel=channel).order_by("pk"):
                records.setdefault(record.event_id, []).append(record)
            taken: dict[int, int] = {}
            appeals = Appeal.objects.filter(channel=channel, event__isnull=False).order_by("pk")
            for appeal in appeals:
                pool = records.get(appeal.event_id, [])
                i = taken.get(appeal.event_id, 0)
                if i < len(pool):
                    links.append((appeal, pool[i]))
                    taken[appeal.event_id] = i + 1
        services.appeals_link_sources(links=links, actor=self.b.clerks[0])

    # ----------------------------------------------------------- 万人助万企

    def visit_round(self, names: list[str], on_spot: int, last: bool) -> None:
        b, rng = self.b, self.rng
        programme = self.programmes["wanren-zhu-wanqi"]
        clerk = b.clerks[1]
        category = b.categories["services"]
        from shishi.demo import corpus

        owner = b.users[
            next(p.leader for p in b.items if p.spec.title == corpus.ENTERPRISE_PROJECT)
        ]
        visits = services.enterprise_visits_bulk_record(
            programme=programme,
            visits=[
                {
                    "enterprise": name,
                    "visitors": f"区工信局 {self.person_name()}、{self.person_name()}",
                    "visited_on": self.today(),
                    "unit": b.units["区工信局"],
                }
                for name in names
            ],
            actor=clerk,
        )
        found = rng.sample(visits, on_spot + (PROBLEMS_STILL_OPEN if last else 0))
        for n, visit in enumerate(found):
            title, lead = rng.choice(ENTERPRISE_PROBLEMS)
            problem = services.enterprise_problem_record(
                visit=visit, title=f"{visit.enterprise}：{title}", category=category, actor=clerk
            )
            if n < on_spot:
                services.enterprise_problem_solve_on_spot(
                    problem=problem,
                    actor=clerk,
                    owner=owner,
                    lead_unit=b.units[lead],
                    evidence=f"走访现场协调{lead}当场办理，企业负责人签字确认，留存照片。",
                    note="现场解决",
                )
            # The rest wait on the open ledger for a leader to claim them.

    # ----------------------------------------------------------- 灾后理赔

    def claim_apply(self, n: int, late: bool) -> None:
        b, rng = self.b, self.rng
        point = self.points[(n * 37) % len(self.points)]
        street = point.station.unit
        handler = b.users[b.handler_of[street.name]]
        application = services.claim_apply(
            point=point,
            applicant=self.person_name(),
            title=rng.choice(("家中财物水毁理赔", "车辆水毁理赔", "商铺存货水毁理赔")),
            category=b.categories["ecology-recovery"],
            actor=handler,
            amount=Decimal(rng.randint(8, 120) * 100),
        )
        leader = b.leaders[n % len(b.leaders)]
        item = ledger.item_claim(item=application.item, actor=leader, lead_unit=street)
        hours = rng.randint(26, 40) if late else rng.randint(2, 20)
        b.at(
            b.clock.now() + dt.timedelta(hours=hours, minutes=rng.randint(0, 50)),
            self.claim_pay,
            item,
            handler,
        )

    def claim_pay(self, item: LedgerItem, handler) -> None:
        ledger.progress_report_submit(
            item=item, actor=handler, percent=100, narrative="赔款已支付。"
        )
        ledger.item_submit_for_verification(item=item, actor=handler, note="已赔付，申请销号。")
        ledger.item_settle(
            item=item,
            actor=self.b.supervisors[0],
            evidence="保险公司赔款到账凭证已核验。",
        )

    # ----------------------------------------------------------- the ledger

    def adopt_items(self) -> None:
        for kind, code in (
            (ItemKind.HAZARD, "hazard-survey"),
            (ItemKind.ENTERPRISE_PROBLEM, "wanren-zhu-wanqi"),
        ):
            for item in LedgerItem.objects.filter(kind=kind, programme__isnull=True):
                ledger.item_set_programme(
                    item=item, actor=self.admin, programme=self.programmes[code]
                )

    def bind_targets(self) -> None:
        """The source's result targets, computed from rows from now on."""
        programmes = self.programmes
        bindings = {
            ("走访调研企业", 656): {"kind": TargetSourceKind.ENTERPRISE_VISITS},
            ("现场解决问题", 215): {"kind": TargetSourceKind.ON_SPOT},
            ("排查消除险情", 32): {
                "kind": TargetSourceKind.PROGRAMME_SETTLED,
                "programme": programmes["hazard-survey"],
            },
            ("接入经营性停车场", 115): {
                "kind": TargetSourceKind.ASSETS,
                "asset_kind": AssetKind.CAR_PARK,
            },
            ("接入路侧泊位", 1049): {
                "kind": TargetSourceKind.ASSETS,
                "asset_kind": AssetKind.ROADSIDE_SPACE,
            },
            ("完成联审联批", 37): {"kind": TargetSourceKind.ASSETS, "asset_kind": AssetKind.LIFT},
            ("加装充电桩", 217): {
                "kind": TargetSourceKind.ASSETS,
                "asset_kind": AssetKind.CHARGING_POINT,
            },
        }
        names = [name for name, _quantity in bindings]
        for target in Target.objects.filter(name__in=names).order_by("pk"):
            binding = bindings.get((target.name, int(target.target_quantity)))
            if binding is not None:
                services.target_source_bind(target=target, actor=self.admin, **binding)
