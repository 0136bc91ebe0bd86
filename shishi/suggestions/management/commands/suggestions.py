"""`shishi suggestions train` and `shishi suggestions status`."""

import json

from django.core.management.base import BaseCommand

from shishi.suggestions import store
from shishi.suggestions.services import suggestions_train


class Command(BaseCommand):
    help = (
        "Train the suggestions (category classifier, lead-unit router, duplicate indexes) "
        "on the appeals stored here, and make them the version every web process uses; "
        "or show the version in use. The worker's task “suggestions.train” does the same "
        "on its interval."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("train", help="build a new version from the stored appeals now")
        sub.add_parser("status", help="the version in use and what it learnt from")

    def handle(self, *args, action, **opts):
        if action == "train":
            self.stdout.write("Training the suggestions on the stored appeals…")
            result = suggestions_train()
            self.report(result)
            self.stdout.write(self.style.SUCCESS(f"Version {result['version']} is now in use."))
            return
        version = store.current_version()
        if not version:
            self.stdout.write("No suggestions trained yet: run `shishi suggestions train`.")
            return
        meta = json.loads((store.root() / f"v{version}" / "meta.json").read_text(encoding="utf-8"))
        self.report(meta)

    def report(self, result: dict) -> None:
        for key, value in result.items():
            if isinstance(value, list):
                value = "; ".join(value) or "—"
            self.stdout.write(f"  {key}: {value}")
