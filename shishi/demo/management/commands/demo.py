from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shishi.core.stats import campaign_figures
from shishi.demo.builder import DEFAULT_PASSWORD, DEFAULT_SEED, build_demo, demo_state
from shishi.suggestions.services import suggestions_train


class Command(BaseCommand):
    help = (
        "Build the demo district (中原区's “我为群众办实事” campaign: 70 units, 40 leaders, "
        "149 forums, 3,231 appeals, 94 projects reported week by week up to today) into an "
        "EMPTY database. Safe to run every time: if the demo is already there it says so and "
        "does nothing; if the database holds any other data (users, units, categories, "
        "appeals, items, events) it refuses and changes nothing (exit status 1), or with "
        "--skip-if-not-empty says so and exits 0. It never mixes the demo into real data; to "
        "try the demo next to a real installation, point SHISHI_DATA_DIR (or DATABASE_URL) "
        "at a fresh database. The build runs in one transaction: it completes or leaves "
        "nothing behind."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help=f"random seed; the same seed builds the same demo, only dated differently "
            f"(default {DEFAULT_SEED})",
        )
        parser.add_argument(
            "--password",
            "--admin-password",
            dest="password",
            default=DEFAULT_PASSWORD,
            help=f"password of the demo logins, the administrator's included "
            f"(default “{DEFAULT_PASSWORD}”; for demonstrations only)",
        )
        parser.add_argument(
            "--skip-if-not-empty",
            action="store_true",
            help="if the database holds data that is not the demo, say so and exit 0 "
            "instead of failing",
        )

    def handle(self, *args, seed: int, password: str, skip_if_not_empty: bool, **options):
        state = demo_state()
        if state == "demo":
            self.stdout.write("The demo district is already in this database; nothing to do.")
            return
        if state == "other":
            message = (
                "This database already holds data that is not the demo (users, units, "
                "categories, appeals or items), so the demo was not built: it only builds "
                "into an empty database. Use a fresh data folder, e.g. "
                "SHISHI_DATA_DIR=/tmp/shishi-demo shishi init && SHISHI_DATA_DIR=/tmp/shishi-demo shishi demo"
            )
            if skip_if_not_empty:
                self.stdout.write(message)
                return
            raise CommandError(message)
        if len(password) < 8:
            raise CommandError("Choose a demo password of at least 8 characters.")

        self.stdout.write("Building the demo district 中原区 (one transaction)…")
        result = build_demo(seed=seed, password=password)
        start = timezone.localtime(result.started)
        end = timezone.localtime(result.ended)
        self.stdout.write(
            self.style.SUCCESS(
                f"Built in {result.seconds:.1f} s (seed {result.seed}); campaign "
                f"{start:%Y-%m-%d} – {end:%Y-%m-%d}."
            )
        )
        for figure in campaign_figures():
            self.stdout.write(f"  {figure.label}: {figure.value} {figure.unit}")
        # Suggestions out of the box (about 20 s of CPU); otherwise the worker's first run.
        self.stdout.write(f"Suggestions trained: version {suggestions_train()['version']}.")
        self.stdout.write("")
        self.stdout.write(
            self.style.WARNING(
                f"Demo logins (DEMO ONLY, do not use these on a real installation): "
                f"password “{result.password}” for each of"
            )
        )
        for username, role, units in result.logins:
            self.stdout.write(f"  {username:<14} {role:<28} {units}".rstrip())
