"""`shishi service_levels defaults` and `shishi service_levels backfill`."""

from django.core.management.base import BaseCommand

from shishi.service_levels.services import appeal_deadlines_backfill, policies_attach_defaults


class Command(BaseCommand):
    help = "Service levels: attach the default policies, or compute missing appeal deadlines."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser(
            "defaults",
            help="give emergency and water/power/gas/heating categories (by name) their "
            "default policy; run after loading a category tree (idempotent)",
        )
        backfill = sub.add_parser(
            "backfill", help="compute the deadlines of appeals stored without any (resumable)"
        )
        backfill.add_argument("--batch", type=int, default=2000)

    def handle(self, *args, action, **opts):
        if action == "defaults":
            created = policies_attach_defaults()
            self.stdout.write(f"{created} category policies created.")
        else:
            filled = appeal_deadlines_backfill(batch_size=max(1, opts["batch"]))
            self.stdout.write(f"{filled} appeals given deadlines.")
