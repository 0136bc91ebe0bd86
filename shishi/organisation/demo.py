"""The demo's organisation and activities: the leading group and its groups,
the plans, the leaders' contact units, three inspection rounds over the 70
units, the meetings and the matters found at them, study and lectures, 联户
and a 党史学习之星 selection. Every record goes through the services on the
demo's simulated clock; the figures (7 groups, 3 rounds, 210+ visits, 70
units, 1,200+ rectification items, 10+6 meetings, 8+4 study sessions, 17
lecture groups, 116 speakers, 1,200+ lectures, 100,000+ attendance, 1,056
members, 21,822 households, 40 leaders, 150+ nominations, 30 selected) are
counted afterwards from what was stored.

`schedule(builder)` puts each step on the demo builder's timeline
(`builder.at`) and draws its choices from its own generator, so the rest of
the demo stays as it was."""

import datetime as dt
import random

from django.utils import timezone

from shishi.activities import services as activities
from shishi.activities.models import MatterKind, MeetingKind, StudyKind
from shishi.demo import corpus
from shishi.inspection import services as inspection
from shishi.liaison import services as liaison
from shishi.org.models import Unit, UnitKind
from shishi.selection import services as selection

from . import services as organisation
from .models import BodyKind, DocumentKind, MemberRole

INSPECTION_GROUPS = 7
INSPECTION_PEOPLE = 59
ROUND_WEEKS = (7, 13, 19)  # each round takes two weeks, after the projects are drafted
EXTRA_VISITS = 12  # second visits to units that needed one
PROMOTION_MEETINGS = 10
FORUMS = 6
THEORY_SESSIONS = 8
SPECIAL_SESSIONS = 4
EXPERT_REPORTS = 22
STUDY_VISIT_PERSON_TIMES = (13_260, 34)  # total, records
SCREENING_VIEWINGS = (26_480, 48)
BOOKS_ORDERED = 40_600  # over the participating units
LECTURE_GROUPS = 17
SPEAKERS = 116
LECTURES = 1_236
LECTURE_ATTENDANCE = 104_875
MATTERS_PER_ORG_LIFE_MEETING = 13
MEMBERS = 1_056
HOUSEHOLDS = 21_822
NOMINATIONS = 156
SELECTED = 30
REVIEWERS = 3

WORKING_GROUPS = (
    ("综合协调组", "统筹协调、督促调度、信息报送"),
    ("宣传报道组", "宣传发动、典型宣传、舆情引导"),
    ("学习指导组", "学习安排、专题培训、宣讲组织"),
    ("督导检查组", "巡回指导、问题督办、立行立改"),
    ("实事推进组", "项目建账、按周调度、清账销号"),
)
DOCUMENTS = (
    (DocumentKind.OVERALL_PLAN, "中原区“我为群众办实事”实践活动实施方案"),
    (DocumentKind.RULES, "中原区“我为群众办实事”项目台账管理办法"),
    (DocumentKind.RULES, "中原区“我为群众办实事”督导考核办法"),
    (DocumentKind.SUB_PLAN, "“万人助万企”专项工作方案"),
    (DocumentKind.SUB_PLAN, "联户工作实施方案"),
    (DocumentKind.SUB_PLAN, "党史学习教育宣讲工作方案"),
    (DocumentKind.SUB_PLAN, "巡回指导工作方案"),
    (DocumentKind.SUB_PLAN, "“党史学习之星”评选方案"),
    (DocumentKind.SUB_PLAN, "专题组织生活会工作方案"),
)
TASKS = (
    "制定本单位实施方案",
    "建立问题清单和项目台账",
    "召开动员部署会",
    "开展征集意见活动",
    "报送阶段性工作总结",
)
FINDINGS = (
    "学习教育记录不完整，台账缺少签到",
    "办实事项目公示内容未及时更新",
    "征集意见梳理不细，未逐条建立台账",
    "办事窗口未公示办理时限",
    "群众反映问题回复不及时",
    "专题学习研讨发言准备不充分",
    "项目推进缺少周调度记录",
    "便民服务事项未在网上公开",
    "宣讲活动覆盖面不够，基层党员参与少",
    "问题整改未明确责任人和时限",
)
MATTERS = (
    "个别党员学习笔记不全",
    "为民服务承诺未上墙公示",
    "联系群众不够经常",
    "会议记录不规范",
    "群众办事来回跑",
    "工作作风不够扎实",
    "政策宣传不到位",
    "活动场所开放时间不合理",
    "反映问题答复口径不一",
    "服务窗口人手不足",
    "办事指南内容过时",
    "信息报送不及时",
    "帮扶对象走访不到位",
)
METHODS = ("documents", "interviews", "spot_checks", "meetings", "site_visit")
LECTURE_TOPICS = (
    "党史故事分享",
    "百年党史专题宣讲",
    "红色家风进社区",
    "学党史、办实事",
    "伟大建党精神宣讲",
    "身边的榜样",
)


def split(rng: random.Random, total: int, n: int) -> list[int]:
    """`total` in `n` uneven whole parts that add up exactly."""
    weights = [rng.uniform(0.6, 1.4) for _ in range(n)]
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    for i in range(total - sum(parts)):
        parts[i % n] += 1
    return parts


def schedule(builder) -> None:
    _Campaign(builder).schedule()


class _Campaign:
    def __init__(self, builder):
        self.b = builder
        self.rng = random.Random(f"shishi-demo-organisation-{builder.seed}")  # noqa: S311 (a demo)

    # --- who and where

    @property
    def admin(self):
        return self.b.users["admin"]

    def clerk(self):
        return self.rng.choice(self.b.clerks)

    def supervisor(self):
        return self.rng.choice(self.b.supervisors)

    def participating(self) -> list[Unit]:
        return list(Unit.objects.participating().order_by("kind", "pk"))

    def today(self) -> dt.date:
        return timezone.localdate()

    def names(self, n: int) -> list[str]:
        """`n` different Chinese names, drawn from this part's own generator."""
        rng, names = self.rng, {}
        while len(names) < n:
            given = corpus.FEMALE_GIVEN if rng.random() < 0.5 else corpus.MALE_GIVEN
            names[rng.choice(corpus.SURNAMES) + rng.choice(given)] = None
        return list(names)

    def phone(self) -> str:
        return "13" + "".join(self.rng.choice("0123456789") for _ in range(9))

    def schedule(self) -> None:
        b = self.b
        b.at(b.t(0, 0, 8), self.organise)
        b.at(b.t(0, 2, 15), self.plan_rounds)
        for n, week in enumerate(ROUND_WEEKS, start=1):
            for day in range(10):
                b.at(b.t(week, day % 5, 10) + dt.timedelta(weeks=day // 5), self.visits, n, day)
        for i in range(PROMOTION_MEETINGS):
            b.at(b.t(1 + i * 2, 0, 15), self.meeting, MeetingKind.PROMOTION, i)
        for i in range(FORUMS):
            b.at(b.t(2 + i * 3, 3, 15), self.meeting, MeetingKind.FORUM, i)
        b.at(b.t(8, 2, 14), self.org_life_meetings)
        b.at(b.t(1, 1, 9), self.study)
        b.at(b.t(1, 2, 9), self.lectures)
        b.at(b.t(2, 0, 9), self.liaison)
        b.at(b.t(12, 0, 9), self.selection_open)
        b.at(b.t(20, 0, 9), self.selection_review)
        b.at(b.t(22, 0, 10), self.selection_publish)

    # --- week 0: the organisation, plans and contact units

    def organise(self) -> None:
        admin, b, rng = self.admin, self.b, self.rng
        district = b.units["中原区"]
        party_office = b.units["区委办公室"]
        names = iter(self.names(120))
        leading = organisation.body_create(
            name="中原区“我为群众办实事”实践活动领导小组",
            kind=BodyKind.LEADING_GROUP,
            duties="统筹领导全区“我为群众办实事”实践活动",
            actor=admin,
        )
        for i, leader in enumerate(b.leaders[:12]):
            organisation.body_member_add(
                body=leading,
                name=leader.full_name,
                unit=district,
                role=MemberRole.HEAD
                if i == 0
                else MemberRole.DEPUTY
                if i < 3
                else MemberRole.MEMBER,
                actor=admin,
            )
        office = organisation.body_create(
            name="领导小组办公室",
            kind=BodyKind.OFFICE,
            duties="负责日常工作，设在区委组织部",
            sort_order=1,
            actor=admin,
        )
        organisation.body_member_add(
            body=office,
            name=next(names),
            unit=b.units["区委组织部"],
            role=MemberRole.HEAD,
            actor=admin,
        )
        departments = [u for u in self.participating() if u.kind == UnitKind.DEPARTMENT]
        for order, (name, duties) in enumerate(WORKING_GROUPS, start=2):
            group = organisation.body_create(
                name=name, kind=BodyKind.WORKING_GROUP, duties=duties, sort_order=order, actor=admin
            )
            for role in (MemberRole.HEAD, MemberRole.MEMBER, MemberRole.MEMBER):
                organisation.body_member_add(
                    body=group,
                    name=next(names),
                    unit=rng.choice(departments),
                    role=role,
                    actor=admin,
                )
        # The inspection groups: 59 people drawn from the departments.
        self.groups = []
        for n, size in enumerate(split(rng, INSPECTION_PEOPLE, INSPECTION_GROUPS), start=1):
            group = inspection.group_create(
                name=f"第{'一二三四五六七'[n - 1]}巡回指导组", sort_order=n, actor=admin
            )
            for i in range(size):
                inspection.group_member_add(
                    group=group,
                    name=next(names),
                    unit=rng.choice(departments),
                    is_head=i == 0,
                    actor=admin,
                )
            self.groups.append(group)
        # 1+2+N: the plans and their task lists, some done, a few late.
        issued = self.today()
        for kind, title in DOCUMENTS:
            document = organisation.document_create(
                kind=kind, title=title, issued_on=issued, issuer=party_office, actor=admin
            )
            for task in rng.sample(TASKS, 3):
                item = organisation.document_task_add(
                    document=document,
                    title=task,
                    unit=rng.choice(departments),
                    deadline=issued + dt.timedelta(weeks=rng.randint(2, 30)),
                    actor=admin,
                )
                if item.deadline < timezone.localdate(b.now) and rng.random() < 0.85:
                    organisation.document_task_complete(
                        task=item, done_on=item.deadline, actor=admin
                    )
        # 联系单位: the 40 leaders share the 70 units; each visits them.
        units = self.participating()
        rng.shuffle(units)
        for i, unit in enumerate(units):
            leader = b.leaders[i % len(b.leaders)]
            contact = organisation.contact_unit_assign(leader=leader, unit=unit, actor=admin)
            b.at(b.t(rng.randint(1, 6), rng.randrange(5), 15), self.contact_visit, contact)

    def contact_visit(self, contact) -> None:
        organisation.contact_visit_record(
            contact=contact,
            visited_on=self.today(),
            note="走访调研，听取意见建议",
            actor=contact.leader,
        )

    # --- inspection rounds: plan by unit type, visit, find, rectify

    def plan_rounds(self) -> None:
        b = self.b
        actor = self.supervisor()
        units = self.participating()  # ordered by kind: departments, schools, streets
        self.rounds = []
        for n, week in enumerate(ROUND_WEEKS, start=1):
            start = timezone.localdate(b.t(week))
            round_ = inspection.round_create(
                number=n,
                title=f"第{'一二三'[n - 1]}轮巡回指导",
                starts_on=start,
                ends_on=start + dt.timedelta(days=13),
                actor=actor,
            )
            # Each round the groups move on to other units, so every group sees
            # every kind of unit over the three rounds.
            for g, group in enumerate(self.groups):
                mine = [u for i, u in enumerate(units) if (i + n) % INSPECTION_GROUPS == g]
                inspection.plan_set(round=round_, group=group, units=mine, actor=actor)
            self.rounds.append(round_)
        self.visit_plan = {
            n: sorted(round_.plan.select_related("group", "unit"), key=lambda e: e.pk)
            for n, round_ in enumerate(self.rounds, start=1)
        }

    def visits(self, round_number: int, day: int) -> None:
        """One working day of a round: a tenth of the round's plan is visited."""
        entries = self.visit_plan[round_number]
        todays = entries[day::10]
        if round_number == len(ROUND_WEEKS) and day == 9:
            todays = todays + entries[:EXTRA_VISITS]  # second visits, last day
        round_ = self.rounds[round_number - 1]
        categories = list(self.b.categories.values())
        for n, entry in enumerate(todays):
            rng = self.rng
            actor = self.supervisor()
            visit = inspection.visit_record(
                round=round_,
                group=entry.group,
                unit=entry.unit,
                visited_on=self.today(),
                methods=rng.sample(METHODS, rng.randint(2, 4)),
                summary="听取汇报，查阅资料，随机走访群众",
                actor=actor,
            )
            findings = 1 + (entry.pk + n) % 2
            inspection.findings_record_bulk(
                visit=visit,
                texts=[f"{entry.unit.name}{t}" for t in rng.sample(FINDINGS, findings)],
                category=rng.choice(categories),
                deadline=timezone.now() + dt.timedelta(days=rng.randint(7, 20)),
                actor=self.clerk(),
            )

    # --- meetings

    def meeting(self, kind: str, n: int) -> None:
        title = (
            f"全区“我为群众办实事”实践活动推进会（第{n + 1}次）"
            if kind == MeetingKind.PROMOTION
            else f"“我为群众办实事”征求意见座谈会（第{n + 1}场）"
        )
        activities.meeting_record(
            kind=kind,
            title=title,
            held_on=self.today(),
            unit=self.b.units["区委办公室"],
            participants=self.rng.randint(40, 160),
            actor=self.clerk(),
        )

    def org_life_meetings(self) -> None:
        """Every participating unit's branch holds a special organisational-life
        meeting; the matters found are opened at once (立行立改 / 即知即改)."""
        rng = self.rng
        categories = list(self.b.categories.values())
        for i, unit in enumerate(self.participating()):
            actor = self.clerk()
            meeting = activities.meeting_record(
                kind=MeetingKind.ORG_LIFE,
                title=f"{unit.name}党支部专题组织生活会",
                held_on=self.today(),
                unit=unit,
                participants=rng.randint(12, 60),
                actor=actor,
            )
            activities.meeting_matters_open(
                meeting=meeting,
                titles=[
                    f"{unit.name}{m}" for m in rng.sample(MATTERS, MATTERS_PER_ORG_LIFE_MEETING)
                ],
                kind=MatterKind.RECTIFY_NOW if i % 2 else MatterKind.CORRECT_ON_KNOWING,
                category=rng.choice(categories),
                deadline=timezone.now() + dt.timedelta(days=rng.randint(7, 30)),
                actor=actor,
            )

    # --- study and lectures

    def study(self) -> None:
        b, rng = self.b, self.rng
        actor = self.clerk()
        party = b.units["区委宣传部"]

        def record(kind, title, week, count=0, unit=party, place="区委常委会议室", speaker=""):
            b.at(
                b.t(week, rng.randrange(5), 9),
                lambda: activities.study_record(
                    kind=kind,
                    title=title,
                    held_on=self.today(),
                    unit=unit,
                    count=count,
                    place=place,
                    speaker=speaker,
                    actor=actor,
                ),
            )

        for i in range(THEORY_SESSIONS):
            record(
                StudyKind.THEORY_GROUP, f"区委理论学习中心组集体学习（第{i + 1}次）", 1 + 3 * i, 30
            )
        for i in range(SPECIAL_SESSIONS):
            record(StudyKind.SPECIAL, f"党史学习教育专题学习（第{i + 1}期）", 2 + 5 * i, 120)
        for i in range(EXPERT_REPORTS):
            record(
                StudyKind.EXPERT_REPORT,
                f"党史专家专题报告会（第{i + 1}场）",
                1 + i,
                200,
                speaker="特邀专家",
            )
        units = self.participating()
        total, n = STUDY_VISIT_PERSON_TIMES
        for i, count in enumerate(split(rng, total, n)):
            record(
                StudyKind.STUDY_VISIT,
                "赴红色教育基地参观学习",
                2 + i % 20,
                count,
                units[i % len(units)],
                "红色教育基地",
            )
        total, n = SCREENING_VIEWINGS
        for i, count in enumerate(split(rng, total, n)):
            record(
                StudyKind.SCREENING,
                "红色电影展映",
                2 + i % 20,
                count,
                units[i % len(units)],
                "社区影院",
            )
        for i, count in enumerate(split(rng, BOOKS_ORDERED, len(units))):
            record(StudyKind.BOOKS, "党史学习教育读本征订", 1, count, units[i], "")

    def lectures(self) -> None:
        b, rng = self.b, self.rng
        actor = self.clerk()
        units = self.participating()
        names = self.names(SPEAKERS)
        speakers = []
        sizes = split(rng, SPEAKERS, LECTURE_GROUPS)
        offset = 0
        for i, size in enumerate(sizes):
            unit = units[i * 4 % len(units)]
            group = activities.lecture_group_create(
                name=f"{unit.name}宣讲团", unit=unit, actor=actor
            )
            for name in names[offset : offset + size]:
                speakers.append(activities.speaker_add(group=group, name=name, actor=actor))
            offset += size
        # The lectures of the campaign, reported in monthly lists.
        attendance = split(rng, LECTURE_ATTENDANCE, LECTURES)
        communities = [c for cs in b.communities.values() for c in cs]
        monthly = [[] for _ in range(6)]
        for i, count in enumerate(attendance):
            monthly[i % 6].append((rng.choice(speakers), rng.choice(communities), count))
        for month, lectures in enumerate(monthly):
            b.at(b.t(4 * month + 4, 4, 16), self.lecture_list, lectures, month)

    def lecture_list(self, lectures, month: int) -> None:
        held_on = self.today()
        activities.lectures_record_bulk(
            lectures=[
                {
                    "speaker": speaker,
                    "title": f"{LECTURE_TOPICS[(i + month) % len(LECTURE_TOPICS)]}",
                    "held_on": held_on - dt.timedelta(days=i % 28),
                    "unit": unit,
                    "place": f"{unit.name}党群服务中心",
                    "attendance": count,
                }
                for i, (speaker, unit, count) in enumerate(lectures)
            ],
            actor=self.clerk(),
        )

    # --- 联户

    def liaison(self) -> None:
        b, rng = self.b, self.rng
        actor = self.clerk()
        communities = [c for cs in b.communities.values() for c in cs]
        per_community = split(rng, MEMBERS, len(communities))
        names = self.names(MEMBERS)
        rows = []
        for community, count in zip(communities, per_community, strict=True):
            for _ in range(count):
                rows.append(
                    {"name": names[len(rows)], "community": community, "phone": self.phone()}
                )
        members = liaison.members_create_bulk(rows=rows, actor=actor)
        households = split(rng, HOUSEHOLDS, len(members))
        by_community: dict[int, list] = {}
        for member, count in zip(members, households, strict=True):
            by_community.setdefault(member.community_id, []).extend([member] * count)
        for community in communities:
            liaison.households_register_bulk(
                community=community,
                rows=[
                    {"address": f"{k // 12 + 1}号楼{k % 12 + 1:02d}户", "member": member}
                    for k, member in enumerate(by_community.get(community.pk, []))
                ],
                paired_on=self.today(),
                actor=actor,
            )

    # --- 评选

    def selection_open(self) -> None:
        b, rng = self.b, self.rng
        actor = self.clerk()
        self.call = selection.call_create(
            title="“党史学习之星”评选",
            description="各单位推荐在党史学习教育中表现突出的党员",
            deadline=b.t(18, 4, 18),
            places=SELECTED,
            actor=actor,
        )
        units = self.participating()
        names = self.names(NOMINATIONS)
        for i, name in enumerate(names):
            b.at(b.t(12 + i % 6, rng.randrange(5), 10), self.nominate, name, units[i % len(units)])

    def nominate(self, name: str, unit: Unit) -> None:
        selection.nomination_submit(
            call=self.call,
            nominee=name,
            unit=unit,
            materials=f"{name}同志积极参加党史学习教育，带头为群众办实事。",
            actor=self.clerk(),
        )

    def selection_review(self) -> None:
        reviewers = [*self.b.supervisors, *self.b.leaders[:2]][:REVIEWERS]
        for nomination in self.call.nominations.order_by("pk"):
            for reviewer in reviewers:
                selection.score_submit(
                    nomination=nomination, reviewer=reviewer, points=self.rng.randint(60, 99)
                )

    def selection_publish(self) -> None:
        selection.call_publish(call=self.call, actor=self.clerk())
