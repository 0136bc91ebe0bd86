"""The demo's work orders (接诉即办): the appeals the builder would have
answered directly go to a unit as work orders instead, through the
work-order services on the builder's simulated clock.

Called once from shishi.demo.builder after the intake is planned. It takes
over those appeals' direct answers (and their closing), sets up the dispatch
catalogue, and schedules each order's moves. Every order gets an end state,
so the demo shows orders waiting to sign, in hand, due soon, overdue,
awaiting review, sent back, returned, extended, re-handled, rated well and
badly; handler01's unit (区教育局) gets orders in every state. Its choices
come from its own generator seeded from the demo's seed, so the builder's
own plan is unchanged."""

import datetime as dt
import heapq
import random

from shishi.core.lifecycle import save_with_history
from shishi.org.models import Unit, UnitKind
from shishi.service_levels.deadlines import PolicyBook

from . import services
from .catalogue import catalogue_rule_for
from .models import CatalogueRule, WorkOrder

# Category code → the department that handles its appeals (派单目录).
CATALOGUE = {
    "education": "区教育局",
    "transport": "区交通运输局",
    "housing": "区城建局",
    "elderly-care": "区民政局",
    "culture-sports": "区文化旅游体育局",
    "health": "区卫健委",
    "services": "区政务服务和大数据管理局",
    "ecology-recovery": "区城管局",
}
# Neighbourhood matters (housing estates) go to the street office.
STREET_CATEGORIES = ("housing",)

# End states and how often each comes up. "old" ones run from the appeal's
# own date; the others happen in the last days, so that they are still open.
FATES = {
    # finished long ago
    "closed_satisfied": (40, "old"),
    "closed_basically": (10, "old"),
    "rehandled_closed": (6, "old"),
    "closed_with_reason": (3, "old"),
    "redispatched_closed": (6, "old"),
    "extended_closed": (5, "old"),
    "overdue": (5, "old"),
    # recent
    "dissatisfied_pending": (3, "recent"),
    "waiting": (6, "recent"),
    "in_hand": (6, "recent"),
    "due_soon": (4, "recent"),
    "replied": (5, "recent"),
    "sent_back": (3, "recent"),
    "returned": (3, "recent"),
    "extension_pending": (3, "recent"),
    "rehandle_in_hand": (2, "recent"),
}
# How many days before now a recent order starts (a general appeal is due in
# 7 working days: "due soon" ones started about 6 working days ago).
RECENT_DAYS = {
    "waiting": 0.08,
    "in_hand": 2,
    "due_soon": 8,
    "replied": 4,
    "sent_back": 4,
    "returned": 1,
    "extension_pending": 3,
    "dissatisfied_pending": 8,
    "rehandle_in_hand": 9,
}
RETURN_REASONS = (
    "该事项不属于本单位职责范围，建议转属地街道办事处办理。",
    "经核实，该处设施产权属于市级单位，请中心转相关单位。",
    "诉求地点不在本单位管辖范围内。",
)
SEND_BACK_NOTES = ("答复未说明具体整改时间，请补充。", "请附现场整改照片后再答复。")
EXTENSION_REASONS = ("需协调供电、燃气等多家单位联合施工。", "所需材料采购周期较长，需延期办理。")
DISSATISFIED_NOTES = ("问题仍未解决。", "处理不及时，态度敷衍。")
REHANDLE_REASONS = ("群众回访不满意，请重新办理并当面沟通。",)
CLOSE_REASONS = ("诉求超出政策范围，已向群众解释说明。",)
NOTE_TEXTS = ("已到现场核实情况，制定整改方案。", "已联系相关单位，正在组织施工。")
REPLY_TAIL = "如仍有问题，可再次拨打12345热线反映。"
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)


def build_work_orders(builder) -> None:
    """Take over the appeals planned to be answered directly (see the module)."""
    _Plan(builder).schedule()


class _Plan:
    def __init__(self, builder):
        self.b = builder
        self.rng = random.Random(f"shishi-demo-workorders-{builder.seed}")  # noqa: S311 (a demo)
        self.book = None  # the service levels, loaded when first needed
        self.handler_unit = next(
            name for name, login in builder.handler_of.items() if login == "handler01"
        )

    # --- planning (no database access but for the catalogue below)

    def schedule(self) -> None:
        b = self.b
        taken = [p for p in b.appeals if p.fate == "answer"]
        ids = {id(p) for p in taken}
        decided_at = {}
        kept = []
        for entry in b._queue:
            when, _seq, action, args = entry
            func = getattr(action, "__func__", None)
            if args and id(args[0]) in ids and func in (type(b).decide, type(b).close):
                if func is type(b).decide:
                    decided_at[id(args[0])] = when
                continue
            kept.append(entry)
        heapq.heapify(kept)
        b._queue[:] = kept
        names, weights = list(FATES), [w for w, _age in FATES.values()]
        b.at(b.t(5, 0, 8), self.catalogue)
        fates = self.rng.choices(names, weights=weights, k=len(taken))
        # handler01's unit sees every state: the first order of each fate goes there.
        first = set()
        for plan, fate in zip(taken, fates, strict=True):
            plan.fate = "order"
            start = decided_at.get(id(plan), plan.when + 2 * DAY)
            if fate == "due_soon":
                # Dispatched so that its deadline falls within the next day or so.
                start = max(start, self.start_due_in(plan, hours=self.rng.uniform(12, 36)))
            elif FATES[fate][1] == "recent":
                # Days before now the order was dispatched, to be in that state now.
                days = RECENT_DAYS.get(fate, 3) * self.rng.uniform(0.7, 1.0)
                start = max(start, b.now - days * DAY)
            to_handler = fate not in first
            first.add(fate)
            b.at(start, self.run, plan, fate, to_handler)

    def start_due_in(self, plan, *, hours: float) -> dt.datetime:
        """The latest dispatch time whose deadline (by the service-level policy
        and the working-day calendar) is at most `hours` from now."""
        if self.book is None:
            self.book = PolicyBook.load()
        category_id = self.b.categories[plan.topic.category].pk
        target = self.b.now + hours * HOUR
        low, high = self.b.now - 30 * DAY, self.b.now
        for _step in range(24):  # the deadline only grows with the start
            middle = low + (high - low) / 2
            due = services.order_deadlines(category_id=category_id, start=middle, book=self.book)
            if due.due_at <= target:
                low = middle
            else:
                high = middle
        return low

    # --- the catalogue, set up before the first dispatch

    def catalogue(self) -> None:
        b = self.b
        admin = b.users["admin"]
        for code, unit_name in CATALOGUE.items():
            rule = CatalogueRule(category=b.categories[code], unit=b.units[unit_name])
            save_with_history(rule, actor=admin, reason="demo")
        for code in STREET_CATEGORIES:
            for street in Unit.objects.filter(kind=UnitKind.STREET):
                rule = CatalogueRule(category=b.categories[code], place=street, unit=street)
                save_with_history(rule, actor=admin, reason="demo")

    # --- one order's life, on the simulated clock

    def clerk(self):
        return self.rng.choice(self.b.clerks)

    def handler(self, order: WorkOrder):
        return self.b.users[self.b.handler_of[order.unit.name]]

    def unit_for(self, plan, to_handler: bool) -> Unit:
        if to_handler:
            return self.b.units[self.handler_unit]
        rule = catalogue_rule_for(plan.obj)
        if rule is not None and rule.unit.name in self.b.handler_of:
            return rule.unit
        return self.b.units[CATALOGUE.get(plan.topic.category, self.handler_unit)]

    def reply_text(self, plan) -> str:
        from shishi.demo import corpus

        answers = corpus.ANSWERS.get(plan.topic.key) or ("已组织人员现场处理，问题已解决。",)
        return f"{self.rng.choice(answers).format(**plan.slots)}{REPLY_TAIL}"

    def later(self, when: dt.datetime, action, *args) -> dt.datetime:
        self.b.at(when, action, *args)
        return when

    def run(self, plan, fate: str, to_handler: bool) -> None:
        """Dispatch now and schedule the rest of the order's moves."""
        order = services.order_dispatch(
            appeal=plan.obj, unit=self.unit_for(plan, to_handler), actor=self.clerk()
        )
        now = self.b.clock.now()
        rng = self.rng
        state = {"order": order, "plan": plan}
        if fate == "waiting":
            return
        if fate == "returned" or fate == "redispatched_closed":
            t = self.later(now + rng.uniform(1, 5) * HOUR, self.give_back, state)
            if fate == "returned":
                return
            t = self.later(t + rng.uniform(2, 20) * HOUR, self.redispatch, state)
            now = t
        t = self.later(now + rng.uniform(0.5, 6) * HOUR, self.sign, state)
        if fate in ("in_hand", "due_soon", "overdue"):
            self.later(t + rng.uniform(2, 20) * HOUR, self.note, state)
            return
        if fate in ("extension_pending", "extended_closed"):
            t = self.later(t + rng.uniform(1, 3) * DAY, self.extend, state)
            if fate == "extension_pending":
                return
            t = self.later(t + rng.uniform(2, 8) * HOUR, self.approve, state)
        t = self.later(t + rng.uniform(0.5, 3) * DAY, self.note, state)
        t = self.later(t + rng.uniform(2, 30) * HOUR, self.reply, state)
        if fate == "replied":
            return
        if fate == "sent_back":
            self.later(t + rng.uniform(1, 6) * HOUR, self.send_back, state)
            return
        t = self.later(t + rng.uniform(1, 8) * HOUR, self.accept, state)
        result = {"closed_basically": "basically_satisfied"}.get(fate, "satisfied")
        if fate in ("rehandled_closed", "closed_with_reason", "dissatisfied_pending"):
            result = "dissatisfied"
        if fate == "rehandle_in_hand":
            result = "dissatisfied"
        t = self.later(t + rng.uniform(1, 3) * DAY, self.rate, state, result)
        if fate == "closed_with_reason":
            self.later(t + rng.uniform(2, 8) * HOUR, self.close, state)
        elif fate in ("rehandled_closed", "rehandle_in_hand"):
            t = self.later(t + rng.uniform(2, 8) * HOUR, self.rehandle, state)
            if fate == "rehandled_closed":
                t = self.later(t + rng.uniform(1, 3) * DAY, self.reply, state)
                t = self.later(t + rng.uniform(1, 8) * HOUR, self.accept, state)
                self.later(t + rng.uniform(1, 3) * DAY, self.rate, state, "satisfied")

    # Each move reads the order afresh: the dict holds the latest.

    def give_back(self, state) -> None:
        order = state["order"]
        state["order"] = services.order_return(
            order=order, actor=self.handler(order), reason=self.rng.choice(RETURN_REASONS)
        )

    def redispatch(self, state) -> None:
        order = state["order"]
        others = [u for u in CATALOGUE.values() if u != order.unit.name]
        unit = self.b.units[self.rng.choice(others)]
        state["order"] = services.order_redispatch(order=order, unit=unit, actor=self.clerk())

    def sign(self, state) -> None:
        order = state["order"]
        state["order"] = services.order_sign(order=order, actor=self.handler(order))

    def note(self, state) -> None:
        order = state["order"]
        services.order_note_add(
            order=order, actor=self.handler(order), text=self.rng.choice(NOTE_TEXTS)
        )

    def extend(self, state) -> None:
        order = state["order"]
        limit = services.extension_max_due(order)
        new_due = min(order.due_at + 3 * DAY, limit)
        services.order_extension_request(
            order=order,
            actor=self.handler(order),
            reason=self.rng.choice(EXTENSION_REASONS),
            new_due=new_due,
        )

    def approve(self, state) -> None:
        request = state["order"].extensions.get(status="pending")
        services.order_extension_decide(request=request, actor=self.clerk(), approve=True)
        state["order"].refresh_from_db()

    def reply(self, state) -> None:
        order = state["order"]
        state["order"] = services.order_reply(
            order=order, actor=self.handler(order), reply=self.reply_text(state["plan"])
        )

    def send_back(self, state) -> None:
        state["order"] = services.order_review(
            order=state["order"],
            actor=self.clerk(),
            accept=False,
            note=self.rng.choice(SEND_BACK_NOTES),
        )

    def accept(self, state) -> None:
        state["order"] = services.order_review(
            order=state["order"], actor=self.clerk(), accept=True
        )

    def rate(self, state, result: str) -> None:
        note = self.rng.choice(DISSATISFIED_NOTES) if result == "dissatisfied" else ""
        services.order_followup_record(
            order=state["order"], actor=self.clerk(), result=result, note=note
        )

    def rehandle(self, state) -> None:
        state["order"] = services.order_rehandle(
            order=state["order"], actor=self.clerk(), reason=self.rng.choice(REHANDLE_REASONS)
        )

    def close(self, state) -> None:
        state["order"] = services.order_followup_close(
            order=state["order"], actor=self.clerk(), reason=self.rng.choice(CLOSE_REASONS)
        )
