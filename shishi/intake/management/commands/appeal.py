"""`shishi appeal …`: intake from the command line, through the intake services."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shishi.categories.services import category_resolve
from shishi.core.cli import refusals_as_command_errors, unit_by_name, user_by_name
from shishi.intake import services
from shishi.intake.models import Appeal, Channel
from shishi.ledger.models import LedgerItem


def appeal_by_number(number: str) -> Appeal:
    appeal = Appeal.objects.filter(
        tracking_number=services.tracking_number_normalise(number)
    ).first()
    if appeal is None:
        raise CommandError(f"No appeal with the tracking number “{number}”.")
    return appeal


class Command(BaseCommand):
    help = "Intake: submit, show, triage, accept into an item, answer, reject, close appeals."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)

        p = sub.add_parser("submit", help="record an appeal; prints its tracking number")
        p.add_argument("--title", required=True)
        p.add_argument("--body", default="")
        p.add_argument("--channel", default=Channel.HOTLINE, choices=Channel.values)
        p.add_argument("--category", help="code or name")
        p.add_argument("--community", help="community or village unit name")
        p.add_argument("--address", default="")
        p.add_argument("--name", default="", help="submitter name (kept private)")
        p.add_argument("--phone", default="", help="submitter phone (kept private)")
        p.add_argument("--user", help="the clerk recording it")

        p = sub.add_parser("show", help="an appeal's status by tracking number")
        p.add_argument("number")

        p = sub.add_parser("triage", help="set the category")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--category", required=True)

        p = sub.add_parser("accept", help="accept into a ledger item")
        p.add_argument("number")
        p.add_argument("--user", required=True)
        p.add_argument("--item", required=True, help="the item's number")

        for name, field in (("answer", "--text"), ("reject", "--reason")):
            p = sub.add_parser(name, help=f"{name} directly")
            p.add_argument("number")
            p.add_argument("--user", required=True)
            p.add_argument(field, required=True)

        p = sub.add_parser("close", help="close an answered or rejected appeal")
        p.add_argument("number")
        p.add_argument("--user", required=True)

    def handle(self, *args, action: str, **opts):
        with refusals_as_command_errors():
            getattr(self, f"do_{action}")(**opts)

    def show(self, appeal: Appeal) -> None:
        item = f"\t{appeal.item.number}" if appeal.item_id else ""
        self.stdout.write(
            f"{appeal.tracking_number}\t{appeal.get_status_display()}\t"
            f"{timezone.localtime(appeal.received_at):%Y-%m-%d %H:%M}\t{appeal.title}{item}"
        )
        if appeal.status_note:
            self.stdout.write(f"  {appeal.status_note}")

    def do_submit(
        self, *, title, body, channel, category, community, address, name, phone, user, **_
    ):
        appeal = services.appeal_submit(
            title=title,
            body=body,
            channel=channel,
            category=category_resolve(category) if category else None,
            community=unit_by_name(community) if community else None,
            address=address,
            submitter_name=name,
            submitter_phone=phone,
            actor=user_by_name(user) if user else None,
        )
        self.show(appeal)

    def do_show(self, *, number, **_):
        self.show(appeal_by_number(number))

    def do_triage(self, *, number, user, category, **_):
        self.show(
            services.appeal_triage(
                appeal=appeal_by_number(number),
                actor=user_by_name(user),
                category=category_resolve(category),
            )
        )

    def do_accept(self, *, number, user, item, **_):
        ledger_item = LedgerItem.objects.filter(number=item).first()
        if ledger_item is None:
            raise CommandError(f"No ledger item numbered “{item}”.")
        self.show(
            services.appeal_accept(
                appeal=appeal_by_number(number), actor=user_by_name(user), item=ledger_item
            )
        )

    def do_answer(self, *, number, user, text, **_):
        self.show(
            services.appeal_answer(
                appeal=appeal_by_number(number), actor=user_by_name(user), answer=text
            )
        )

    def do_reject(self, *, number, user, reason, **_):
        self.show(
            services.appeal_reject(
                appeal=appeal_by_number(number), actor=user_by_name(user), reason=reason
            )
        )

    def do_close(self, *, number, user, **_):
        self.show(services.appeal_close(appeal=appeal_by_number(number), actor=user_by_name(user)))
