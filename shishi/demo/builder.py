"""Build the demo district: 中原区's "我为群众办实事" campaign, replayed through
the services on a simulated clock that ends at the real present.

The campaign runs for the 27 full weeks before the current one, plus the part
of the current week that has passed:

- week −1: units, people and categories are set up;
- weeks 0–4: 149 forums, questionnaire batches (17,643 issued) and
  household-visit rounds (6,224 visits) collect appeals; the hotline and the
  web bring more all through the campaign (3,231 appeals in all);
- week 5: the appeals are triaged, answered or rejected; 94 projects are
  drafted; week 6: the projects are opened (建账), the appeals accepted into
  them, and 40 leaders claim them (领账);
- weeks 7–now: every project reports weekly (按周调度); projects are submitted,
  verified and settled (清账) with follow-ups (回访); some fall behind their
  deadline, some miss this week's report, one is suspended.

Every choice comes from `random.Random(seed)`: two builds with the same seed
differ only in their absolute dates. All writes go through the services.
"""

import datetime as dt
import heapq
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from shishi.categories.models import Category
from shishi.categories.services import category_create
from shishi.core.lifecycle import save_with_history
from shishi.core.models import Sequence
from shishi.core.services import sequence_next
from shishi.intake import services as intake
from shishi.intake.models import Appeal, Channel, CollectionEvent
from shishi.ledger import services as ledger
from shishi.ledger.models import ItemKind, LedgerItem, Satisfaction
from shishi.org.models import Membership, Unit, UnitKind, User
from shishi.org.services import unit_create, user_create
from shishi.organisation import demo as organisation_demo
from shishi.programmes.demo import schedule as schedule_programmes
from shishi.workorders.demo import build_work_orders

from . import corpus, recurring
from .clock import SimClock, simulated_time

DEFAULT_SEED = 20210301
DEFAULT_PASSWORD = "shishi-demo"  # noqa: S105 (a demo-only password, printed by the command)
# A named counter (core.Sequence) marks a database the demo was built into.
DEMO_MARKER = "demo:built"
CAMPAIGN_WEEKS = 27  # full weeks before the current one

FORUMS = 149
QUESTIONNAIRES_ISSUED = 17_643
HOUSEHOLD_VISITS = 6_224
LEADERS = 40
# 3,231 appeals by channel.
APPEALS_BY_CHANNEL = {
    Channel.FORUM: 1_180,
    Channel.QUESTIONNAIRE: 960,
    Channel.VISIT: 760,
    Channel.HOTLINE: 211,
    Channel.WEB: 120,
}
# What becomes of the 94 projects by now.
SETTLED, AWAITING, SUSPENDED, OVERDUE, MISSING, ONGOING = (
    "settled",
    "awaiting",
    "suspended",
    "overdue",
    "missing",
    "ongoing",
)
FATE_COUNTS = {SETTLED: 50, AWAITING: 3, SUSPENDED: 1, OVERDUE: 8, MISSING: 5}
OVERDUE_ALSO_MISSING = 2
FIRST_REPORT_WEEK = 7
TYPO, CORRECTION = "typo", "correction"  # a report with a wrong figure, and its correction

DEMO_LOGINS = (
    ("admin", "administrator (superuser)"),
    ("clerk01", "intake clerk"),
    ("leader01", "responsible leader"),
    ("handler01", "unit handler"),
    ("supervisor01", "supervisor"),
    ("resident01", "resident"),
)
# A handler login per main unit (the units that lead the most projects), so a
# newcomer can follow the loop on any of them; handler01 is 区教育局's.
DEMO_HANDLER_UNITS = (
    "区教育局",
    "区城管局",
    "区城建局",
    "区卫健委",
    "区文化旅游体育局",
    "区民政局",
    "区房管局",
    "棉纺路街道",
)


def demo_state() -> str:
    """“demo” if the demo was built here, “empty” if the database holds no data
    (only what migrations create), “other” otherwise."""
    if Sequence.objects.filter(name=DEMO_MARKER).exists():
        return "demo"
    for model in (User, Unit, Category, CollectionEvent, Appeal, LedgerItem):
        if model.objects.exists():
            return "other"
    return "empty"


@dataclass
class DemoResult:
    seed: int
    started: dt.datetime
    ended: dt.datetime
    seconds: float
    password: str
    # (login, role, the units it belongs to), as the command prints them.
    logins: tuple = ()


def build_demo(
    *,
    seed: int = DEFAULT_SEED,
    password: str = DEFAULT_PASSWORD,
    now: dt.datetime | None = None,
    stop_before_week: int | None = None,
) -> DemoResult:
    """Build the whole demo in one transaction (nothing is left half-built).

    `now` is where the campaign ends (default: the real now). `stop_before_week`
    (for tests) replays only the campaign's first weeks and leaves the demo
    unmarked, so the command would not take it for a finished demo."""
    began = time.monotonic()
    now = now or timezone.now()
    builder = _Builder(seed=seed, password=password, now=now)
    with transaction.atomic(), simulated_time(builder.clock):
        builder.build(stop_before_week=stop_before_week)
    return DemoResult(
        seed=seed,
        started=builder.start,
        ended=now,
        seconds=time.monotonic() - began,
        password=password,
        logins=demo_logins(),
    )


def demo_logins() -> tuple:
    """(login, role, units) of every login with the demo password: the
    DEMO_LOGINS, then a handler of each main unit."""
    handlers = {
        unit: username
        for username, unit in Membership.objects.filter(
            unit__name__in=DEMO_HANDLER_UNITS, user__username__startswith="handler"
        ).values_list("user__username", "unit__name")
    }
    logins = list(DEMO_LOGINS)
    logins += [
        (handlers[unit], "unit handler")
        for unit in DEMO_HANDLER_UNITS
        if unit in handlers and handlers[unit] not in dict(DEMO_LOGINS)
    ]
    units: dict[str, list[str]] = {}
    for username, unit in Membership.objects.filter(
        user__username__in=[login for login, _role in logins]
    ).values_list("user__username", "unit__name"):
        units.setdefault(username, []).append(unit)
    return tuple((login, role, "、".join(units.get(login, []))) for login, role in logins)


# --- plans: what will happen, decided up front from the seed


@dataclass
class EventPlan:
    channel: str
    title: str
    unit_name: str
    when: dt.datetime
    count: int
    street: corpus.Street | None
    topics: tuple[str, ...] = ()
    obj: CollectionEvent | None = None


@dataclass
class AppealPlan:
    channel: str
    when: dt.datetime
    topic: corpus.Topic
    street: corpus.Street
    community: str
    slots: dict
    event: EventPlan | None = None
    fate: str = "accept"  # accept | answer | reject | pending | received
    close: bool = False
    item: "ItemPlan | None" = None
    submitter: str = ""  # username of a resident account, for some web appeals
    obj: Appeal | None = None


@dataclass
class ItemPlan:
    index: int
    spec: corpus.ItemSpec
    fate: str = ONGOING
    leader: str = ""
    deadline: dt.datetime | None = None
    followups: list = field(default_factory=list)  # results, in order
    reopened: bool = False
    finished: bool = False  # settled (and not reopened)
    last_phrase: str = ""  # of the last progress report, not to be repeated
    obj: LedgerItem | None = None


class _Builder:
    def __init__(self, *, seed: int, password: str, now: dt.datetime):
        self.seed = seed
        self.rng = random.Random(seed)
        # Tracking numbers draw from their own generator, so the text does not
        # depend on how many retries a tracking number needed.
        self.tracking_rng = random.Random(f"shishi-demo-tracking-{seed}")
        self.password = password
        self.now = now
        today = timezone.localdate(now)
        self.first_day = today - dt.timedelta(days=today.weekday(), weeks=CAMPAIGN_WEEKS)
        self.start = self.t(0, 0, 0)
        self.clock = SimClock(start=self.t(-1, 4, 9), end=now)
        self._queue: list = []
        self._seq = itertools.count()
        self.units: dict[str, Unit] = {}
        self.communities: dict[str, list[Unit]] = {}
        self.users: dict[str, User] = {}
        self.handler_of: dict[str, str] = {}  # unit name -> handler username
        self.categories: dict[str, Category] = {}
        self.topics = {t.key: t for t in corpus.TOPICS}
        self.roads = sorted({r for s in corpus.STREETS for r in s.roads})
        self.events: list[EventPlan] = []
        self.appeals: list[AppealPlan] = []
        self.items: list[ItemPlan] = []

    # --- time

    def t(self, week: int, day: int = 0, hour: int = 9, minute: int = 0) -> dt.datetime:
        """Week `week` of the campaign (0 = its first), day 0 = Monday, local time."""
        date = self.first_day + dt.timedelta(weeks=week, days=day)
        return timezone.make_aware(dt.datetime.combine(date, dt.time(hour, minute)))

    def workday(self, day_index: int, hour: int, minute: int = 0) -> dt.datetime:
        """The `day_index`-th working day of the campaign (five a week)."""
        return self.t(day_index // 5, day_index % 5, hour, minute)

    def spread(self, week: int, first_day: int, days: int, n: int) -> list[dt.datetime]:
        """`n` times spread evenly over the office hours of `days` days."""
        minutes = 8 * 60  # 09:00–17:00
        total = days * minutes
        times = []
        for i in range(n):
            offset = (i * total) // max(n, 1)
            day, minute = divmod(offset, minutes)
            times.append(self.t(week, first_day + day, 9) + dt.timedelta(minutes=minute))
        return times

    def at(self, when: dt.datetime, action: Callable, *args) -> None:
        heapq.heappush(self._queue, (when, next(self._seq), action, args))

    def run(self, until: dt.datetime | None = None) -> None:
        while self._queue:
            when, _seq, action, args = heapq.heappop(self._queue)
            if until is not None and when >= until:
                return
            self.clock.at(when)
            action(*args)

    # --- the whole build

    def plan(self) -> None:
        """Decide everything that will happen (no database access)."""
        self.plan_events()
        self.plan_appeals()
        self.plan_items()
        self.schedule_intake()
        self.schedule_items()
        self.schedule_other_ledgers()
        schedule_programmes(self)  # 专项工作 and their records (shishi.programmes.demo)
        organisation_demo.schedule(self)  # the campaign's organisation and activities

    def build(self, stop_before_week: int | None = None) -> None:
        self.clock.at(self.t(-1, 4, 9))
        self.setup_people_and_units()
        self.plan()
        # 接诉即办: the appeals answered directly become work orders (shishi.workorders).
        build_work_orders(self)
        if stop_before_week is not None:
            self.run(until=self.t(stop_before_week))
            return
        self.run()
        self.clock.at(self.now)
        sequence_next(DEMO_MARKER)

    # --- week −1: units, categories, people

    def name(self, older: bool = False) -> tuple[str, bool]:
        """A Chinese name and whether it is a woman's."""
        rng = self.rng
        female = rng.random() < 0.5
        given = corpus.FEMALE_GIVEN if female else corpus.MALE_GIVEN
        if older:
            given = given[: corpus.OLDER_GIVEN]
        return rng.choice(corpus.SURNAMES) + rng.choice(given), female

    def unique_names(self, n: int, taken: set[str]) -> list[str]:
        names = []
        while len(names) < n:
            candidate, _female = self.name()
            if candidate not in taken:
                taken.add(candidate)
                names.append(candidate)
        return names

    def phone(self) -> str:
        rng = self.rng
        return rng.choice(corpus.PHONE_PREFIXES) + "".join(
            rng.choice("0123456789") for _ in range(8)
        )

    def setup_people_and_units(self) -> None:
        # The demo logins share one password; hashing it once saves seconds (a
        # password hash is slow on purpose).
        self.password_hash = make_password(self.password)
        admin = user_create(
            username="admin", full_name="系统管理员", roles=["administrator"], is_superuser=True
        )
        admin.password = self.password_hash
        admin.save(update_fields=["password"])
        self.users["admin"] = admin

        for order, spec in enumerate(corpus.CATEGORIES, start=1):
            self.categories[spec.code] = category_create(
                name=spec.name,
                code=spec.code,
                description=spec.description,
                sort_order=order * 10,
                actor=admin,
            )

        district = unit_create(
            name=corpus.DISTRICT, kind=UnitKind.DISTRICT, is_participating=False, actor=admin
        )
        self.units[corpus.DISTRICT] = district
        for name in corpus.DEPARTMENTS:
            self.units[name] = unit_create(
                name=name, kind=UnitKind.DEPARTMENT, parent=district, actor=admin
            )
        for street in corpus.STREETS:
            unit = unit_create(name=street.name, kind=UnitKind.STREET, parent=district, actor=admin)
            self.units[street.name] = unit
            self.communities[street.name] = [
                unit_create(
                    name=c,
                    kind=UnitKind.VILLAGE if c.endswith("村") else UnitKind.COMMUNITY,
                    parent=unit,
                    is_participating=False,
                    actor=admin,
                )
                for c in street.communities
            ]
        for name in corpus.SCHOOLS:
            self.units[name] = unit_create(
                name=name,
                kind=UnitKind.SCHOOL,
                parent=self.units[corpus.SCHOOL_PARENT],
                actor=admin,
            )
        for name in corpus.ENTERPRISES:
            self.units[name] = unit_create(
                name=name,
                kind=UnitKind.ENTERPRISE,
                parent=self.units[corpus.ENTERPRISE_PARENT],
                is_participating=False,
                actor=admin,
            )

        taken: set[str] = set()
        password_for = {login for login, _role in DEMO_LOGINS}

        def person(username, full_name, roles, units=()):
            user = user_create(
                username=username,
                full_name=full_name,
                roles=roles,
                units=units,
                phone=self.phone(),
            )
            if username in password_for:
                user.password = self.password_hash
                user.save(update_fields=["password"])
            self.users[username] = user
            return user

        for i, full_name in enumerate(self.unique_names(LEADERS, taken), start=1):
            person(f"leader{i:02d}", full_name, ["leader"], [district])
        for i, full_name in enumerate(self.unique_names(4, taken), start=1):
            person(f"clerk{i:02d}", full_name, ["clerk"], [self.units["区政府办公室"]])
        supervisor_units = ("区委办公室", "区纪委监委", "区委办公室")
        for i, full_name in enumerate(self.unique_names(3, taken), start=1):
            person(
                f"supervisor{i:02d}",
                full_name,
                ["supervisor"],
                [self.units[supervisor_units[i - 1]]],
            )
        # A handler for every participating unit but the district: lead units first.
        handled = list(dict.fromkeys(spec.lead for spec in corpus.PROJECTS))
        handled += [
            u
            for u in [*corpus.DEPARTMENTS, *(s.name for s in corpus.STREETS), *corpus.SCHOOLS]
            if u not in handled
        ]
        for i, (unit_name, full_name) in enumerate(
            zip(handled, self.unique_names(len(handled), taken), strict=True), start=1
        ):
            handler = person(
                f"handler{i:02d}", full_name, ["unit_handler"], [self.units[unit_name]]
            )
            self.handler_of[unit_name] = f"handler{i:02d}"
            if unit_name in DEMO_HANDLER_UNITS:  # a demo login (see DEMO_HANDLER_UNITS)
                handler.password = self.password_hash
                handler.save(update_fields=["password"])
        for i, full_name in enumerate(self.unique_names(5, taken), start=1):
            person(f"resident{i:02d}", full_name, ["resident"])

        self.leaders = [self.users[f"leader{i:02d}"] for i in range(1, LEADERS + 1)]
        self.clerks = [self.users[f"clerk{i:02d}"] for i in range(1, 5)]
        self.supervisors = [self.users[f"supervisor{i:02d}"] for i in range(1, 4)]

    # --- weeks 0–4: collection events

    def split(self, total: int, n: int) -> list[int]:
        """`total` split into `n` uneven whole parts that add up exactly."""
        weights = [self.rng.uniform(0.6, 1.4) for _ in range(n)]
        scale = total / sum(weights)
        raw = [w * scale for w in weights]
        parts = [int(r) for r in raw]
        by_remainder = sorted(range(n), key=lambda i: (parts[i] - raw[i], i))
        for i in by_remainder[: total - sum(parts)]:
            parts[i] += 1
        return parts

    def plan_events(self) -> None:
        rng = self.rng
        streets = corpus.STREETS
        # Forums: 25 working days, weeks 0–4.
        for street in streets:
            for _ in range(corpus.FORUMS_PER_STREET):
                title = rng.choice(corpus.STREET_FORUM_TITLES).format(
                    street=street.name, community=rng.choice(street.communities)
                )
                self.events.append(
                    EventPlan(
                        Channel.FORUM,
                        title,
                        street.name,
                        self.workday(
                            rng.randrange(25), rng.choice((9, 10, 14, 15)), rng.choice((0, 30))
                        ),
                        rng.randint(12, 40),
                        street,
                    )
                )
        for dept, held, titles, topics in corpus.DEPARTMENT_FORUMS:
            for _ in range(held):
                self.events.append(
                    EventPlan(
                        Channel.FORUM,
                        dept + rng.choice(titles),
                        dept,
                        self.workday(
                            rng.randrange(25), rng.choice((9, 10, 14, 15)), rng.choice((0, 30))
                        ),
                        rng.randint(15, 45),
                        None,
                        topics,
                    )
                )
        # A title held more than once is numbered in the order the forums met.
        held: dict[str, int] = {}
        for event in sorted(self.events, key=lambda e: e.when):
            held[event.title] = held.get(event.title, 0) + 1
        seen: dict[str, int] = {}
        for event in sorted(self.events, key=lambda e: e.when):
            seen[event.title] = seen.get(event.title, 0) + 1
            if held[event.title] > 1:
                event.title = f"{event.title}（第{seen[event.title]}场）"
        if len(self.events) != FORUMS:
            raise RuntimeError(f"The corpus plans {len(self.events)} forums, not {FORUMS}.")
        # Questionnaire batches: weeks 0–3, entered within a week.
        batches = [
            (
                street.name,
                corpus.STREET_QUESTIONNAIRE_TITLE.format(street=street.name, n=n),
                street,
                (),
            )
            for street in streets
            for n in range(1, corpus.QUESTIONNAIRES_PER_STREET + 1)
        ]
        batches += [
            (unit, title, None, topics) for unit, title, topics in corpus.DEPARTMENT_QUESTIONNAIRES
        ]
        for (unit, title, street, topics), count in zip(
            batches, self.split(QUESTIONNAIRES_ISSUED, len(batches)), strict=True
        ):
            self.events.append(
                EventPlan(
                    Channel.QUESTIONNAIRE,
                    title,
                    unit,
                    self.workday(rng.randrange(18), 9),
                    count,
                    street,
                    topics,
                )
            )
        # Household-visit rounds: one round a week per street, weeks 0–3.
        rounds = [(street, n) for street in streets for n in range(1, corpus.VISITS_PER_STREET + 1)]
        for (street, n), count in zip(
            rounds, self.split(HOUSEHOLD_VISITS, len(rounds)), strict=True
        ):
            self.events.append(
                EventPlan(
                    Channel.VISIT,
                    corpus.STREET_VISIT_TITLE.format(street=street.name, n=n),
                    street.name,
                    self.workday((n - 1) * 5 + rng.randrange(3), 9),
                    count,
                    street,
                )
            )
        for event in self.events:
            self.at(event.when, self.hold_event, event)

    def hold_event(self, event: EventPlan) -> None:
        handler = self.users[self.handler_of[event.unit_name]]
        obj = CollectionEvent(
            channel=event.channel,
            title=event.title,
            held_on=timezone.localdate(),
            unit=self.units[event.unit_name],
            organiser=handler,
            count=event.count,
        )
        save_with_history(obj, actor=handler, reason="created")
        event.obj = obj

    # --- appeals

    def allocate(self, total: int, events: list[EventPlan], base: int) -> list[int]:
        counts = [base] * len(events)
        weights = [e.count for e in events]
        for i in self.rng.choices(
            range(len(events)), weights=weights, k=total - base * len(events)
        ):
            counts[i] += 1
        return counts

    def pick_topic(self, keys: tuple[str, ...] = ()) -> corpus.Topic:
        rng = self.rng
        if keys:  # a department's forum or questionnaire is about its own field
            return self.topics[rng.choice(keys)]
        return rng.choices(corpus.TOPICS, weights=[t.weight for t in corpus.TOPICS])[0]

    def plan_appeals(self) -> None:
        rng = self.rng
        for channel in (Channel.FORUM, Channel.QUESTIONNAIRE, Channel.VISIT):
            events = [e for e in self.events if e.channel == channel]
            base = 2 if channel == Channel.FORUM else 1
            for event, n in zip(
                events, self.allocate(APPEALS_BY_CHANNEL[channel], events, base), strict=True
            ):
                for _ in range(n):
                    if channel == Channel.FORUM:
                        when = event.when + dt.timedelta(minutes=rng.randint(10, 150))
                    elif channel == Channel.QUESTIONNAIRE:
                        when = event.when + dt.timedelta(
                            days=rng.randint(1, 4), minutes=rng.randint(0, 480)
                        )
                    else:
                        when = event.when + dt.timedelta(
                            days=rng.randint(0, 2), minutes=rng.randint(0, 540)
                        )
                    street = event.street or rng.choice(corpus.STREETS)
                    self.appeals.append(self.appeal_plan(channel, when, street, event))
        last_day = CAMPAIGN_WEEKS * 7 + 2
        for channel in (Channel.HOTLINE, Channel.WEB):
            for _ in range(APPEALS_BY_CHANNEL[channel]):
                day = rng.randrange(last_day)
                hour = rng.randint(8, 19) if channel == Channel.HOTLINE else rng.randint(7, 22)
                when = self.t(0, day, hour, rng.randrange(60))
                self.appeals.append(
                    self.appeal_plan(channel, when, rng.choice(corpus.STREETS), None)
                )
        residents = [f"resident{i:02d}" for i in range(1, 6)]
        web = [a for a in self.appeals if a.channel == Channel.WEB]
        for plan in rng.sample(web, 10):
            plan.submitter = rng.choice(residents)
        self.appeals.sort(key=lambda a: a.when)

    def appeal_plan(
        self, channel: str, when, street: corpus.Street, event: EventPlan | None
    ) -> AppealPlan:
        rng = self.rng
        topic = self.pick_topic(event.topics if event else ())
        roads = list(street.roads)
        others = [r for r in self.roads if r not in roads]
        road, road2 = rng.sample(roads, 2)
        road3 = rng.choice(others)
        community, compounds = rng.choice(street.places)
        slots = {
            "street": street.name,
            "community": community,
            "compound": rng.choice(compounds),
            "road": road,
            "road2": road2,
            "road3": road3,
            "building": rng.randint(1, 24),
            "floor": rng.choice((5, 6, 6, 7, 7)),
            "years": rng.randint(22, 42),
            "relative": rng.choice(corpus.RELATIVES),
            "months": rng.randint(3, 14),
            "age": rng.randint(63, 91),
            "school": rng.choice(corpus.SCHOOL_NAMES),
            "park": rng.choice(corpus.PARKS),
            "market": rng.choice(corpus.MARKETS),
            "health_centre": rng.choice(corpus.HEALTH_CENTRES),
            "hospital": rng.choice(corpus.HOSPITALS),
            "matter": rng.choice(corpus.MATTERS),
        }
        return AppealPlan(channel, when, topic, street, slots["community"], slots, event)

    def appeal_text(self, plan: AppealPlan) -> dict:
        """Title, body and submitter of an appeal (drawn when it is received)."""
        rng = self.rng
        slots = dict(plan.slots)
        topic = plan.topic
        case = rng.choice(topic.cases)
        title = case[0].format(**slots)
        with_name = {
            Channel.FORUM: 0.7,
            Channel.VISIT: 0.8,
            Channel.QUESTIONNAIRE: 0.3,
            Channel.HOTLINE: 0.6,
            Channel.WEB: 0.5,
        }[plan.channel]
        name, female = (
            self.name(older=rng.random() < 0.5) if rng.random() < with_name else ("", False)
        )
        has_phone = plan.channel == Channel.HOTLINE or (name and rng.random() < 0.8)
        phone = self.phone() if has_phone else ""
        if not name:
            speaker = "一位居民"
        elif plan.channel == Channel.VISIT:
            title_of = rng.choice(("阿姨", "奶奶") if female else ("大爷", "师傅"))
            speaker = f"{slots['age']}岁的{name[0]}{title_of}"
        else:
            speaker = name[0] + ("女士" if female else "先生")
        opener = rng.choice(corpus.OPENERS[plan.channel]).format(
            speaker=speaker,
            event=plan.event.title if plan.event else "",
            community=slots["community"],
        )
        sentences = list(case[1:])
        if len(sentences) > 1 and rng.random() < 0.25:
            sentences.pop()
        if topic.extras and rng.random() < 0.35:
            sentences.append(rng.choice(topic.extras))
        body = opener + "".join(s.format(**slots) for s in sentences)
        body += rng.choice(corpus.DETAILS) + rng.choice(corpus.CLOSINGS)
        address = ""
        if rng.random() < 0.75:
            address = (
                f"{corpus.DISTRICT}{slots['street']}{slots['compound']}"
                f"{slots['building']}号楼{rng.randint(1, 6)}单元"
            )
            if rng.random() < 0.4:
                address += f"{rng.randint(1, 7)}0{rng.randint(1, 4)}室"
        return {
            "title": title,
            "body": body,
            "submitter_name": name,
            "submitter_phone": phone,
            "address": address,
        }

    # --- weeks 5–6 and later: triage, answers, acceptance into items

    def schedule_intake(self) -> None:
        rng = self.rng
        early_end = self.t(5, 0, 8)
        recent = self.t(CAMPAIGN_WEEKS - 1, 0, 0)
        candidates: dict[str, list[ItemPlan]] = {}
        for item in self.items:
            for key in item.spec.topics:
                candidates.setdefault(key, []).append(item)
        streets = {s.name for s in corpus.STREETS}
        for plan in self.appeals:
            self.at(plan.when, self.receive, plan)
            # A street's own project takes only that street's appeals.
            options = [
                o
                for o in candidates.get(plan.topic.key, ())
                if o.spec.lead not in streets or o.spec.lead == plan.street.name
            ]
            roll = rng.random()
            if plan.when >= recent:
                plan.fate = "received" if roll < 0.6 else "pending"
            elif plan.topic.reject_reason:
                plan.fate = "reject"
            elif roll < 0.11 or not options:
                plan.fate = "answer"
            elif roll < 0.14:
                plan.fate = "reject"
            elif roll < 0.155:
                plan.fate = "pending"
            else:
                plan.fate = "accept"
                weights = [3 if o.spec.lead == plan.street.name else 1 for o in options]
                plan.item = rng.choices(options, weights=weights)[0]
            plan.close = plan.fate in ("answer", "reject") and rng.random() < (
                0.8 if plan.fate == "answer" else 0.6
            )

        early = [p for p in self.appeals if p.when < early_end]
        late = [p for p in self.appeals if p.when >= early_end]
        # The big sort-out (大梳理): triage in week 5, answers and rejections at
        # its end, acceptance once the projects are open, closing a week later.
        # An appeal accepted straight into a project takes the project's category;
        # the others are classified first.
        sorting = [p for p in early if self.needs_triage(p)]
        for plan, when in zip(sorting, self.spread(5, 0, 3, len(sorting)), strict=True):
            self.at(when, self.triage, plan)
        decided = [p for p in early if p.fate in ("answer", "reject")]
        for plan, when in zip(decided, self.spread(5, 3, 2, len(decided)), strict=True):
            self.at(when, self.decide, plan)
        accepted = [p for p in early if p.fate == "accept"]
        for plan, when in zip(accepted, self.spread(6, 1, 2, len(accepted)), strict=True):
            self.at(when, self.decide, plan)
        closing = [p for p in early if p.close]
        for plan, when in zip(closing, self.spread(7, 0, 2, len(closing)), strict=True):
            self.at(when, self.close, plan)
        # Later appeals are handled as they come.
        items_open = self.t(6, 1, 9)
        for plan in late:
            if plan.fate == "received":
                continue
            triage_at = plan.when + dt.timedelta(hours=rng.randint(16, 40))
            if self.needs_triage(plan):
                self.at(triage_at, self.triage, plan)
            if plan.fate == "pending":
                continue
            decide_at = triage_at + dt.timedelta(hours=rng.randint(3, 30))
            if plan.fate == "accept":
                decide_at = max(decide_at, items_open + dt.timedelta(minutes=rng.randint(0, 900)))
            self.at(decide_at, self.decide, plan)
            if plan.close:
                self.at(decide_at + dt.timedelta(days=rng.randint(3, 10)), self.close, plan)

    @staticmethod
    def needs_triage(plan: AppealPlan) -> bool:
        return plan.fate != "accept" or plan.item.spec.category != plan.topic.category

    def receive(self, plan: AppealPlan) -> None:
        text = recurring.rewrite(self, plan, self.appeal_text(plan))
        actor = None
        if plan.event is not None:
            actor = plan.event.obj.organiser
        elif plan.channel == Channel.HOTLINE:
            actor = self.rng.choice(self.clerks)
        submitter = self.users[plan.submitter] if plan.submitter else None
        community = next(c for c in self.communities[plan.street.name] if c.name == plan.community)
        plan.obj = intake.appeal_submit(
            channel=plan.channel,
            event=plan.event.obj if plan.event else None,
            community=community,
            submitter=submitter,
            actor=actor or submitter,
            rng=self.tracking_rng,
            **text,
        )

    def triage(self, plan: AppealPlan) -> None:
        plan.obj = intake.appeal_triage(
            appeal=plan.obj,
            actor=self.rng.choice(self.clerks),
            category=self.categories[plan.topic.category],
        )

    def decide(self, plan: AppealPlan) -> None:
        clerk = self.rng.choice(self.clerks)
        if plan.fate == "accept":
            item = plan.item.obj
            if not plan.item.finished:
                plan.obj = intake.appeal_accept(appeal=plan.obj, actor=clerk, item=item)
                return
            # The project was finished before this appeal came in: classify the
            # appeal and answer it.
            plan.fate = "answer"
            self.triage(plan)
            answer = (
                f"您反映的问题已纳入“{item.title}”（{item.number}），该项目已完成并通过验收；"
                "如仍有问题，请再次联系我们。"
            )
            plan.obj = intake.appeal_answer(appeal=plan.obj, actor=clerk, answer=answer)
        elif plan.fate == "answer":
            answers = corpus.ANSWERS[plan.topic.key]
            answer = self.rng.choice(answers).format(**plan.slots)
            plan.obj = intake.appeal_answer(appeal=plan.obj, actor=clerk, answer=answer)
        else:
            reason = plan.topic.reject_reason or self.rng.choice(corpus.REJECT_REASONS)
            plan.obj = intake.appeal_reject(appeal=plan.obj, actor=clerk, reason=reason)

    def close(self, plan: AppealPlan) -> None:
        if plan.fate in ("answer", "reject"):
            plan.obj = intake.appeal_close(appeal=plan.obj, actor=self.rng.choice(self.clerks))

    # --- projects

    def plan_items(self) -> None:
        rng = self.rng
        self.items = [ItemPlan(i, spec) for i, spec in enumerate(corpus.PROJECTS)]
        order = list(self.items)
        rng.shuffle(order)
        builds = [p for p in order if p.spec.work == "build"]
        for plan in builds[: FATE_COUNTS[OVERDUE]]:
            plan.fate = OVERDUE
        builds[FATE_COUNTS[OVERDUE]].fate = SUSPENDED
        rest = [p for p in order if p.fate == ONGOING]
        taken = 0
        for fate in (SETTLED, AWAITING, MISSING):
            for plan in rest[taken : taken + FATE_COUNTS[fate]]:
                plan.fate = fate
            taken += FATE_COUNTS[fate]
        settled = [p for p in order if p.fate == SETTLED]
        reopened = next(p for p in settled if p.spec.work == "build")
        reopened.reopened = True
        others = [p for p in settled if p is not reopened]
        for plan in others:
            plan.followups = [Satisfaction.SATISFIED] * rng.randint(1, 3)
        others[0].followups = [Satisfaction.DISSATISFIED, Satisfaction.SATISFIED]
        for plan in others[1:5]:
            plan.followups[0] = Satisfaction.BASICALLY_SATISFIED
        reopened.followups = [Satisfaction.DISSATISFIED, Satisfaction.SATISFIED]

        # Leaders take consecutive projects (related ones): 14 take three, 26 two.
        sizes = [3] * (len(self.items) - 2 * LEADERS) + [2] * (3 * LEADERS - len(self.items))
        chunks, start = [], 0
        for size in sizes:
            chunks.append(self.items[start : start + size])
            start += size
        # The demo leader (leader01) gets the most varied portfolio.
        best = max(range(len(chunks)), key=lambda i: (len({p.fate for p in chunks[i]}), -i))
        chunks.insert(0, chunks.pop(best))
        for number, chunk in enumerate(chunks, start=1):
            for plan in chunk:
                plan.leader = f"leader{number:02d}"

        for plan in self.items:
            if plan.fate == OVERDUE:
                plan.deadline = self.t(rng.randint(21, 25), 4, 18)
            else:
                plan.deadline = self.t(rng.randint(30, 44), 4, 18)

    def schedule_items(self) -> None:
        rng = self.rng
        created = self.spread(5, 4, 1, len(self.items))
        opened = self.spread(6, 0, 1, len(self.items))
        claim_order = list(self.items)
        rng.shuffle(claim_order)
        claimed = dict(
            zip([p.index for p in claim_order], self.spread(6, 2, 3, len(self.items)), strict=True)
        )
        last = CAMPAIGN_WEEKS
        overdue_missing = {
            p.index for p in [p for p in self.items if p.fate == OVERDUE][:OVERDUE_ALSO_MISSING]
        }
        for plan in self.items:
            self.at(created[plan.index], self.create_item, plan)
            self.at(opened[plan.index], self.open_item, plan)
            self.at(claimed[plan.index], self.claim_item, plan)
            day = rng.choice((2, 3, 4))  # the item reports on Wednesdays, Thursdays or Fridays
            fate = plan.fate
            if fate == SETTLED:
                quick = plan.spec.work != "build"
                settle_week = rng.randint(11, 22) if quick else rng.randint(14, 26)
                if plan.reopened:
                    settle_week = rng.randint(12, 18)
                weeks = list(range(FIRST_REPORT_WEEK, settle_week))
                curve = self.curve(len(weeks), 100)
            elif fate == AWAITING:
                settle_week = last
                weeks = list(range(FIRST_REPORT_WEEK, last))
                curve = self.curve(len(weeks), 100)
            elif fate == SUSPENDED:
                weeks = list(range(FIRST_REPORT_WEEK, 20))
                curve = self.curve(len(weeks), rng.randint(20, 40))
            elif fate == OVERDUE:
                end = last if plan.index not in overdue_missing else last - 1
                weeks = list(range(FIRST_REPORT_WEEK, end + 1))
                curve = self.curve(len(weeks), rng.randint(62, 92), gamma=0.7)
            elif fate == MISSING:
                weeks = list(range(FIRST_REPORT_WEEK, last))
                curve = self.curve(len(weeks), rng.randint(40, 90))
            else:
                weeks = list(range(FIRST_REPORT_WEEK, last + 1))
                curve = self.curve(len(weeks), rng.randint(45, 95))
            for i, (week, percent) in enumerate(zip(weeks, curve, strict=True)):
                final = percent == 100
                # Now and then a week goes unreported (never the last ones).
                if not final and 0 < i < len(weeks) - 2 and rng.random() < 0.04:
                    continue
                when = self.t(week, day, rng.randint(9, 16), rng.randrange(60))
                if not final and rng.random() < 0.06:
                    # A figure typed wrong, corrected a few hours later (version 2).
                    self.at(when, self.report, plan, percent, TYPO)
                    later = when + dt.timedelta(hours=rng.randint(1, 5))
                    self.at(later, self.report, plan, percent, CORRECTION)
                else:
                    self.at(when, self.report, plan, percent)
            if fate in (SETTLED, AWAITING):
                self.at(self.t(settle_week, 0, 10, rng.randrange(60)), self.submit_item, plan)
            if fate == SETTLED:
                self.at(self.t(settle_week, 2, 15, rng.randrange(60)), self.settle_item, plan)
                self.at(self.t(settle_week, 3, 10, rng.randrange(60)), self.follow_up, plan, 0)
                if plan.reopened:
                    # Dissatisfied, reopened, reworked for two weeks, settled again.
                    for week in (settle_week + 1, settle_week + 2):
                        self.at(self.t(week, day, 10), self.report, plan, 100)
                    resettle = settle_week + 3
                    self.at(self.t(resettle, 0, 10), self.submit_item, plan)
                    self.at(self.t(resettle, 2, 15), self.settle_item, plan)
                    self.at(self.t(resettle, 3, 10), self.follow_up, plan, 1)
                else:
                    for n in range(1, len(plan.followups)):
                        self.at(
                            self.t(settle_week, 3, 10 + n, rng.randrange(60)),
                            self.follow_up,
                            plan,
                            n,
                        )
            if fate == SUSPENDED:
                self.at(self.t(20, 1, 11), self.suspend_item, plan)

    def curve(self, n: int, end: int, gamma: float | None = None) -> list[int]:
        """Weekly percent complete over `n` weeks: never falling, reaching `end`
        in the last week (and 100 only then)."""
        rng = self.rng
        gamma = gamma if gamma is not None else rng.uniform(0.8, 1.3)
        values, last = [], 0
        for k in range(1, n + 1):
            p = end * (k / n) ** gamma + rng.uniform(-3, 3)
            p = int(round(min(max(p, last), end)))
            if k == n:
                p = end
            elif p >= 100:
                p = 99
            values.append(p)
            last = p
        return values

    def create_item(self, plan: ItemPlan) -> None:
        spec = plan.spec
        goals = "、".join(f"{name}{qty}{uom}" for name, uom, qty in spec.targets)
        description = f"{spec.description}目标：{goals}。".strip()
        plan.obj = ledger.item_create(
            kind=ItemKind.PROJECT,
            title=spec.title,
            category=self.categories[spec.category],
            actor=self.rng.choice(self.clerks),
            description=description,
            deadline=plan.deadline,
            targets=[ledger.TargetSpec(name, uom, qty) for name, uom, qty in spec.targets],
            lead_unit=self.units[spec.lead],
            cooperating_units=[self.units[u] for u in spec.cooperating],
        )

    def open_item(self, plan: ItemPlan) -> None:
        plan.obj = ledger.item_open(item=plan.obj, actor=self.rng.choice(self.clerks))

    def claim_item(self, plan: ItemPlan) -> None:
        plan.obj = ledger.item_claim(
            item=plan.obj, actor=self.users[plan.leader], lead_unit=self.units[plan.spec.lead]
        )

    def reporter(self, plan: ItemPlan) -> User:
        if self.rng.random() < 0.15:
            return self.users[plan.leader]
        return self.users[self.handler_of[plan.spec.lead]]

    @staticmethod
    def quantity(target: str, percent: int) -> Decimal:
        total = Decimal(target)
        if percent >= 100:
            return total
        if total == total.to_integral_value():
            return (total * percent / 100).to_integral_value(rounding=ROUND_DOWN)
        return (total * percent / 100).quantize(Decimal("0.01"), rounding=ROUND_DOWN)

    @staticmethod
    def shown(quantity: Decimal) -> str:
        return f"{quantity.normalize():f}"

    def report(self, plan: ItemPlan, percent: int, mode: str = "") -> None:
        rng = self.rng
        spec = plan.spec
        actuals = {name: self.quantity(qty, percent) for name, uom, qty in spec.targets}
        if mode == TYPO:
            name, _uom, qty = spec.targets[0]
            actuals[name] = min(actuals[name] * 10 + 1, Decimal(qty))
            percent = min(percent + 10, 99)
        coop = spec.cooperating[0] if spec.cooperating else "相关部门"
        totals = "；".join(
            f"{name}{self.shown(actuals[name])}{uom}（目标{qty}{uom}）"
            for name, uom, qty in spec.targets
        )
        if percent == 100:
            text = f"已全部完成：{totals}。相关资料已整理归档。"
            if plan.obj.followups.exists():
                text = f"针对回访意见完成返工整改：{totals}。已请反映人现场查看。"
        else:
            stage = 0 if percent < 30 else (1 if percent < 85 else 2)
            phrases = [p for p in corpus.STAGES[spec.work][stage] if p != plan.last_phrase]
            plan.last_phrase = rng.choice(phrases)
            text = f"本周{plan.last_phrase}。累计完成：{totals}。"
            if plan.fate == OVERDUE and self.clock.now() > plan.deadline:
                text += rng.choice(corpus.OVERDUE_NARRATIVES)
            elif rng.random() < 0.2:
                text += rng.choice(corpus.PROBLEMS).format(coop=coop)
            if rng.random() < 0.5:
                text += rng.choice(corpus.PLANS).format(coop=coop)
        if mode == CORRECTION:
            text = corpus.CORRECTION_NOTE + text
        ledger.progress_report_submit(
            item=plan.obj,
            actor=self.reporter(plan),
            percent=percent,
            narrative=text,
            actuals=actuals,
        )

    def submit_item(self, plan: ItemPlan) -> None:
        plan.obj = ledger.item_submit_for_verification(
            item=plan.obj,
            actor=self.reporter(plan),
            note="各项目标已全部完成，申请验收清账。",
        )

    def settle_item(self, plan: ItemPlan) -> None:
        rng = self.rng
        spec = plan.spec
        targets = "、".join(f"{name}{qty}{uom}" for name, uom, qty in spec.targets) + "全部完成"
        evidence = rng.choice(corpus.SETTLE_EVIDENCE).format(
            targets=targets, lead=spec.lead, n=rng.randint(3, 12)
        )
        supervisor = rng.choice(self.supervisors)
        plan.obj = ledger.item_settle(item=plan.obj, actor=supervisor, evidence=evidence)
        plan.finished = True

    def follow_up(self, plan: ItemPlan, n: int) -> None:
        rng = self.rng
        result = plan.followups[n]
        appeals = list(Appeal.objects.filter(item=plan.obj).order_by("pk"))
        appeal = rng.choice(appeals) if appeals else None
        note = rng.choice(corpus.FOLLOWUP_NOTES[result])
        ledger.followup_record(
            item=plan.obj,
            actor=rng.choice(self.supervisors),
            result=result,
            note=note,
            appeal=appeal,
            reopen=plan.reopened and result == Satisfaction.DISSATISFIED,
        )
        if plan.reopened and result == Satisfaction.DISSATISFIED:
            plan.finished = False
            plan.obj.refresh_from_db()  # reopened: appeal_accept reads the status we pass

    def suspend_item(self, plan: ItemPlan) -> None:
        plan.obj = ledger.item_suspend(
            item=plan.obj, actor=self.supervisors[0], reason=corpus.SUSPEND_REASON
        )

    # --- other ledgers: hazards and enterprise problems (never projects)

    def schedule_other_ledgers(self) -> None:
        """The civil-defence office's 32 hazards (all removed within days) and
        the 万人助万企 visits with the enterprise problems they left."""
        rng = self.rng
        by_title = {p.spec.title: p for p in self.items}
        hazard_owner = by_title[corpus.HAZARD_PROJECT]
        for _n in range(corpus.HAZARD_COUNT):
            street = rng.choice(corpus.STREETS)
            community, compounds = rng.choice(street.places)
            place = rng.choice(corpus.HAZARD_PLACES)
            problem, remedy = rng.choice(corpus.HAZARD_PROBLEMS)
            title = f"{street.name}{rng.choice(compounds)}附近{place}{problem}"
            found = self.t(rng.randint(8, 15), rng.randrange(5), rng.randint(9, 16))
            self.at(
                found, self.small_item, hazard_owner, ItemKind.HAZARD, title, "区人防办", remedy
            )

        visits = self.split(corpus.ENTERPRISE_VISITS, corpus.ENTERPRISE_VISIT_ROUNDS)
        for n, count in enumerate(visits, start=1):
            event = EventPlan(
                Channel.ENTERPRISE_VISIT,
                f"区工信局“万人助万企”走访调研（第{n}轮）",
                "区工信局",
                self.t(5 + 2 * n, 1, 9),
                count,
                None,
            )
            self.at(event.when, self.hold_event, event)
        enterprise_owner = by_title[corpus.ENTERPRISE_PROJECT]
        for title, unit in corpus.ENTERPRISE_PROBLEMS:
            found = self.t(rng.randint(8, 18), rng.randrange(5), rng.randint(9, 16))
            remedy = "已协调责任部门现场办理，企业确认问题解决"
            self.at(
                found,
                self.small_item,
                enterprise_owner,
                ItemKind.ENTERPRISE_PROBLEM,
                title,
                unit,
                remedy,
            )

    def small_item(self, owner: ItemPlan, kind: str, title: str, lead: str, remedy: str) -> None:
        """An item found and settled within days: open and claim it now,
        report and submit it the next day, settle it a few days later."""
        rng = self.rng
        category = self.categories[owner.spec.category]
        # Supervisors are named as hazard openers by the kind policy but lack
        # ledger.add_ledgeritem, so a clerk records what the inspectors found.
        opener = rng.choice(self.clerks)
        item = ledger.item_create(kind=kind, title=title, category=category, actor=opener)
        item = ledger.item_open(item=item, actor=opener)
        item = ledger.item_claim(
            item=item, actor=self.users[owner.leader], lead_unit=self.units[lead]
        )
        handler = self.users[self.handler_of[lead]]
        now = self.clock.now()
        done = now + dt.timedelta(days=1, hours=rng.randint(1, 6))
        self.at(done, self.small_item_done, item, handler, remedy)
        settled = now + dt.timedelta(days=rng.randint(2, 4), hours=rng.randint(0, 6))
        verifier = rng.choice(self.supervisors)
        self.at(settled, self.small_item_settle, item, verifier, remedy)

    def small_item_done(self, item: LedgerItem, handler: User, remedy: str) -> None:
        ledger.progress_report_submit(
            item=item, actor=handler, percent=100, narrative=f"{remedy}。"
        )
        ledger.item_submit_for_verification(item=item, actor=handler, note="已办结，申请销号。")

    def small_item_settle(self, item: LedgerItem, verifier: User, remedy: str) -> None:
        ledger.item_settle(
            item=item,
            actor=verifier,
            evidence=f"现场复查：{remedy}，问题已消除，已留存影像资料。",
        )
