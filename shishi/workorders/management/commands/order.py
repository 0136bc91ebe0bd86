"""`shishi order …`: the work-order loop from the command line, through the
work-order services (mirrors `shishi appeal …`)."""

import datetime as dt
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shishi.core.cli import refusals_as_command_errors, unit_by_name, user_by_name
from shishi.intake.management.commands.appeal import appeal_by_number
from shishi.sheets.results import ImportRefused
from shishi.workorders import services
from shishi.workorders.catalogue import catalogue_import
from shishi.workorders.models import ExtensionRequest, ExtensionStatus, WorkOrder


def order_by_number(number: str) -> WorkOrder:
    order = WorkOrder.objects.filter(number=number.strip().upper()).first()
    if order is None:
        raise CommandError(f"No work order numbered “{number}”.")
    return order


def parse_moment(value: str) -> dt.datetime:
    """YYYY-MM-DD (the end of that day's work, 17:30) or YYYY-MM-DDTHH:MM, local time."""
    try:
        if len(value.strip()) == 10:
            day = dt.date.fromisoformat(value.strip())
            moment = dt.datetime.combine(day, dt.time(17, 30))
        else:
            moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise CommandError(f"Not a date (YYYY-MM-DD or YYYY-MM-DDTHH:MM): {value!r}") from None
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


class Command(BaseCommand):
    help = (
        "Work orders: dispatch, sign, note, reply, return, extend, review, redispatch, "
        "rehandle, cancel, show; import the dispatch catalogue."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("dispatch", help="dispatch an appeal to a lead unit")
        p.add_argument("appeal", help="the appeal's tracking number")
        p.add_argument("--user", required=True, help="the clerk at the centre")
        p.add_argument("--unit", required=True, help="the lead unit's name")
        p.add_argument("--with", dest="cooperating", action="append", default=[])
        p.add_argument("--instructions", default="")

        p = sub.add_parser("redispatch", help="转派: move an order to another unit")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--unit", required=True)
        p.add_argument("--with", dest="cooperating", action="append", default=[])
        p.add_argument("--reason", default="")

        p = sub.add_parser("show", help="an order's state")
        p.add_argument("number")

        p = sub.add_parser("sign", help="签收")
        p.add_argument("number")
        p.add_argument("--user", required=True)

        p = sub.add_parser("note", help="办理: a handling note")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--text", required=True)

        p = sub.add_parser("reply", help="答复: the reply to the resident")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--text", required=True)

        p = sub.add_parser("return", help="退单 to the centre, with the reason")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--reason", required=True)

        p = sub.add_parser(
            "extend",
            help="ask for an extension (--until, --reason) or decide one (--approve/--refuse)",
        )
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--until", help="the new deadline: YYYY-MM-DD or YYYY-MM-DDTHH:MM")
        p.add_argument("--reason", default="")
        decision = p.add_mutually_exclusive_group()
        decision.add_argument("--approve", action="store_true")
        decision.add_argument("--refuse", action="store_true")

        p = sub.add_parser("review", help="审核: accept the reply or send it back")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        verdict = p.add_mutually_exclusive_group(required=True)
        verdict.add_argument("--accept", action="store_true")
        verdict.add_argument("--send-back", action="store_true")
        p.add_argument("--reason", default="")

        for name, help_text in (
            ("rehandle", "重办 after a dissatisfied follow-up"),
            ("cancel", "cancel"),
        ):
            p = sub.add_parser(name, help=help_text)
            p.add_argument("number")
            p.add_argument("--user", required=True)
            p.add_argument("--reason", required=True)

        p = sub.add_parser("catalogue", help="import the dispatch catalogue (.xlsx or .csv)")
        p.add_argument("file")
        p.add_argument("--user", required=True)
        p.add_argument("--dry-run", action="store_true")

    def handle(self, *args, action: str, **opts):
        with refusals_as_command_errors():
            getattr(self, f"do_{action}")(**opts)

    def show(self, order: WorkOrder) -> None:
        self.stdout.write(
            f"{order.number}\t{order.get_status_display()}\t{order.unit}\t"
            f"{timezone.localtime(order.due_at):%Y-%m-%d %H:%M}\t{order.appeal.title}"
        )

    def do_dispatch(self, *, appeal, user, unit, cooperating, instructions, **_):
        self.show(
            services.order_dispatch(
                appeal=appeal_by_number(appeal),
                unit=unit_by_name(unit),
                cooperating_units=[unit_by_name(name) for name in cooperating],
                instructions=instructions,
                actor=user_by_name(user),
            )
        )

    def do_redispatch(self, *, number, user, unit, cooperating, reason, **_):
        self.show(
            services.order_redispatch(
                order=order_by_number(number),
                unit=unit_by_name(unit),
                cooperating_units=[unit_by_name(name) for name in cooperating],
                reason=reason,
                actor=user_by_name(user),
            )
        )

    def do_show(self, *, number, **_):
        self.show(order_by_number(number))

    def do_sign(self, *, number, user, **_):
        self.show(services.order_sign(order=order_by_number(number), actor=user_by_name(user)))

    def do_note(self, *, number, user, text, **_):
        order = order_by_number(number)
        services.order_note_add(order=order, actor=user_by_name(user), text=text)
        self.show(order)

    def do_reply(self, *, number, user, text, **_):
        self.show(
            services.order_reply(
                order=order_by_number(number), actor=user_by_name(user), reply=text
            )
        )

    def do_return(self, *, number, user, reason, **_):
        self.show(
            services.order_return(
                order=order_by_number(number), actor=user_by_name(user), reason=reason
            )
        )

    def do_extend(self, *, number, user, until, reason, approve, refuse, **_):
        order = order_by_number(number)
        actor = user_by_name(user)
        if approve or refuse:
            request = order.extensions.filter(status=ExtensionStatus.PENDING).first()
            if request is None:
                raise CommandError(f"Work order {order.number} has no extension request waiting.")
            services.order_extension_decide(
                request=request, actor=actor, approve=approve, note=reason
            )
        else:
            if not until:
                raise CommandError("Give the new deadline with --until.")
            request = services.order_extension_request(
                order=order, actor=actor, reason=reason, new_due=parse_moment(until)
            )
        request = ExtensionRequest.objects.get(pk=request.pk)
        self.stdout.write(
            f"{order.number}\t{request.get_status_display()}\t"
            f"{timezone.localtime(request.requested_due):%Y-%m-%d %H:%M}"
        )

    def do_review(self, *, number, user, accept, send_back, reason, **_):
        self.show(
            services.order_review(
                order=order_by_number(number), actor=user_by_name(user), accept=accept, note=reason
            )
        )

    def do_rehandle(self, *, number, user, reason, **_):
        self.show(
            services.order_rehandle(
                order=order_by_number(number), actor=user_by_name(user), reason=reason
            )
        )

    def do_cancel(self, *, number, user, reason, **_):
        self.show(
            services.order_cancel(
                order=order_by_number(number), actor=user_by_name(user), reason=reason
            )
        )

    def do_catalogue(self, *, file, user, dry_run, **_):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {file}")
        try:
            report = catalogue_import(
                path, name=path.name, actor=user_by_name(user), commit=not dry_run
            )
        except ImportRefused as refused:
            raise CommandError(str(refused)) from None
        for error in report.errors:
            self.stderr.write(f"{path.name} {error}")
        if not report.ok:
            raise CommandError(
                f"{report.error_count} errors in {report.rows} rows; nothing was stored."
            )
        self.stdout.write(
            f"{report.rows} rows checked; {report.created} rules stored, "
            f"{report.skipped} already there." + (" (dry run: nothing stored)" if dry_run else "")
        )
