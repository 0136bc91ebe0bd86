"""`shishi ledger …`: the closed loop from the command line. Each subcommand
calls the same service function as the web and admin."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shishi.categories.services import category_resolve
from shishi.core.cli import (
    parse_date,
    parse_week,
    refusals_as_command_errors,
    unit_by_name,
    user_by_name,
)
from shishi.ledger import services
from shishi.ledger.models import (
    ItemKind,
    ItemStatus,
    LedgerItem,
    Satisfaction,
    end_of_day,
    week_start,
)


def item_by_number(number: str) -> LedgerItem:
    item = LedgerItem.objects.filter(number=number.strip()).first()
    if item is None:
        raise CommandError(f"No ledger item numbered “{number}”.")
    return item


def parse_target(text: str) -> services.TargetSpec:
    parts = text.split(":")
    if len(parts) != 3:
        raise CommandError(f"A target is NAME:UNIT:QUANTITY, e.g. 新增学位:个:6360 (got {text!r}).")
    return services.TargetSpec(*parts)


def parse_actual(text: str) -> tuple[str, str]:
    name, sep, quantity = text.rpartition("=")
    if not sep or not name:
        raise CommandError(f"An actual is TARGET=QUANTITY, e.g. 新增学位=3000 (got {text!r}).")
    return name, quantity


class Command(BaseCommand):
    help = "Work the ledger: list, show, create, open, claim, report, submit, settle, reopen…"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("list", help="list items")
        p.add_argument("--status", choices=ItemStatus.values)
        p.add_argument("--overdue", action="store_true", help="only overdue items")
        p.add_argument("--limit", type=int, default=100)

        p = sub.add_parser("missing", help="active items without a report for the week")
        p.add_argument("--week", help="ISO week (2021-W40) or a date in it; default this week")

        p = sub.add_parser("show", help="one item with targets, reports and history")
        p.add_argument("number")

        p = sub.add_parser("create", help="create a draft item")
        p.add_argument("--user", required=True)
        p.add_argument("--kind", default=ItemKind.PROJECT, choices=ItemKind.values)
        p.add_argument("--title", required=True)
        p.add_argument("--description", default="")
        p.add_argument("--category", required=True, help="code or name")
        p.add_argument("--deadline", help="YYYY-MM-DD; default from the kind's policy")
        p.add_argument(
            "--target", action="append", default=[], help="NAME:UNIT:QUANTITY, repeatable"
        )
        p.add_argument("--lead-unit")
        p.add_argument("--cooperating-unit", action="append", default=[])
        p.add_argument(
            "--open", dest="open_now", action="store_true", help="open it (建账) right away"
        )

        for name, text in [("open", "建账: open a draft"), ("submit", "submit for verification")]:
            p = sub.add_parser(name, help=text)
            p.add_argument("number")
            p.add_argument("--user", required=True)

        p = sub.add_parser("claim", help="领账: claim an open item")
        p.add_argument("number")
        p.add_argument("--user", required=True, help="the leader claiming")
        p.add_argument("--unit", required=True, help="the lead unit")
        p.add_argument("--owner", help="another leader to own it (default: the user)")

        p = sub.add_parser("report", help="按周调度: this week's progress report")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--percent", required=True)
        p.add_argument("--narrative", default="")
        p.add_argument("--actual", action="append", default=[], help="TARGET=QUANTITY, repeatable")
        p.add_argument("--week", help="ISO week (2021-W40) or a date in it; default this week")

        p = sub.add_parser("settle", help="清账: verify and settle")
        p.add_argument("number")
        p.add_argument("--user", required=True, help="the verifier (not the owner)")
        p.add_argument("--evidence", required=True)

        for name in ("send-back", "reopen", "suspend", "cancel", "resume"):
            p = sub.add_parser(name, help=f"{name} with a reason")
            p.add_argument("number")
            p.add_argument("--user", required=True)
            p.add_argument("--reason", required=(name != "resume"), default="")

        p = sub.add_parser("followup", help="回访: record satisfaction with a settled item")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--result", required=True, choices=Satisfaction.values)
        p.add_argument("--note", default="")
        p.add_argument("--reopen", action="store_true", help="reopen the item (dissatisfied only)")

    def handle(self, *args, action: str, **opts):
        with refusals_as_command_errors():
            getattr(self, "do_" + action.replace("-", "_"))(**opts)

    def line(self, item: LedgerItem) -> str:
        overdue = " 已逾期" if item.is_overdue() else ""
        owner = item.owner or "—"
        return (
            f"{item.number}\t{item.get_status_display()}{overdue}\t{item.title}\t"
            f"{owner}\t{item.lead_unit or '—'}\t{timezone.localtime(item.deadline):%Y-%m-%d}"
        )

    def do_list(self, *, status, overdue, limit, **_):
        items = LedgerItem.objects.select_related("owner", "lead_unit").order_by("number")
        if status:
            items = items.filter(status=status)
        if overdue:
            items = items.overdue()
        for item in items[:limit]:
            self.stdout.write(self.line(item))

    def do_missing(self, *, week, **_):
        monday = week_start(parse_week(week) if week else timezone.localdate())
        items = LedgerItem.objects.missing_report(monday).select_related("owner", "lead_unit")
        for item in items.order_by("number"):
            self.stdout.write(self.line(item))

    def do_show(self, *, number, **_):
        item = item_by_number(number)
        self.stdout.write(self.line(item))
        for target in item.targets.all():
            actual = (
                "—" if target.actual_quantity is None else f"{target.actual_quantity.normalize():f}"
            )
            self.stdout.write(
                f"  目标 {target.name}: {actual} / {target.target_quantity.normalize():f} {target.unit_of_measure}"
            )
        for report in item.progress_reports.filter(is_current=True).order_by("week_start"):
            self.stdout.write(
                f"  {report.week_label} {report.percent}% v{report.version} {report.narrative}"
            )
        for record in item.history.order_by("history_date", "history_id"):
            self.stdout.write(
                f"  {timezone.localtime(record.history_date):%Y-%m-%d %H:%M} "
                f"{record.history_user or '—'} {record.status} {record.history_change_reason or ''}"
            )

    def do_create(
        self,
        *,
        user,
        kind,
        title,
        description,
        category,
        deadline,
        target,
        lead_unit,
        cooperating_unit,
        open_now,
        **_,
    ):
        actor = user_by_name(user)
        item = services.item_create(
            kind=kind,
            title=title,
            description=description,
            category=category_resolve(category),
            actor=actor,
            deadline=end_of_day(parse_date(deadline)) if deadline else None,
            targets=[parse_target(t) for t in target],
            lead_unit=unit_by_name(lead_unit) if lead_unit else None,
            cooperating_units=[unit_by_name(u) for u in cooperating_unit],
        )
        if open_now:
            item = services.item_open(item=item, actor=actor)
        self.stdout.write(self.line(item))

    def do_open(self, *, number, user, **_):
        self.stdout.write(
            self.line(services.item_open(item=item_by_number(number), actor=user_by_name(user)))
        )

    def do_submit(self, *, number, user, **_):
        item = services.item_submit_for_verification(
            item=item_by_number(number), actor=user_by_name(user)
        )
        self.stdout.write(self.line(item))

    def do_claim(self, *, number, user, unit, owner, **_):
        item = services.item_claim(
            item=item_by_number(number),
            actor=user_by_name(user),
            lead_unit=unit_by_name(unit),
            owner=user_by_name(owner) if owner else None,
        )
        self.stdout.write(self.line(item))

    def do_report(self, *, number, user, percent, narrative, actual, week, **_):
        report = services.progress_report_submit(
            item=item_by_number(number),
            actor=user_by_name(user),
            percent=percent,
            narrative=narrative,
            actuals=dict(parse_actual(a) for a in actual),
            week=parse_week(week) if week else None,
        )
        self.stdout.write(
            f"{report.item.number} {report.week_label} v{report.version}: {report.percent}%"
        )

    def do_settle(self, *, number, user, evidence, **_):
        item = services.item_settle(
            item=item_by_number(number), actor=user_by_name(user), evidence=evidence
        )
        self.stdout.write(self.line(item))

    def do_send_back(self, *, number, user, reason, **_):
        item = services.item_send_back(
            item=item_by_number(number), actor=user_by_name(user), note=reason
        )
        self.stdout.write(self.line(item))

    def do_reopen(self, *, number, user, reason, **_):
        item = services.item_reopen(
            item=item_by_number(number), actor=user_by_name(user), reason=reason
        )
        self.stdout.write(self.line(item))

    def do_suspend(self, *, number, user, reason, **_):
        item = services.item_suspend(
            item=item_by_number(number), actor=user_by_name(user), reason=reason
        )
        self.stdout.write(self.line(item))

    def do_resume(self, *, number, user, reason, **_):
        item = services.item_resume(
            item=item_by_number(number), actor=user_by_name(user), note=reason
        )
        self.stdout.write(self.line(item))

    def do_cancel(self, *, number, user, reason, **_):
        item = services.item_cancel(
            item=item_by_number(number), actor=user_by_name(user), reason=reason
        )
        self.stdout.write(self.line(item))

    def do_followup(self, *, number, user, result, note, reopen, **_):
        followup = services.followup_record(
            item=item_by_number(number),
            actor=user_by_name(user),
            result=result,
            note=note,
            reopen=reopen,
        )
        self.stdout.write(f"{followup.item.number}: {followup.get_result_display()}")
