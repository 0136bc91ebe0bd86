import json

from django.core.management.base import BaseCommand

from shishi.core.stats import campaign_figures, object_figures, object_figures_text


class Command(BaseCommand):
    help = "Print the campaign's figures, computed from the database, one per line."

    def add_arguments(self, parser):
        parser.add_argument("--json", action="store_true", help="print the same figures as JSON")

    def handle(self, *args, **options):
        figures = campaign_figures()
        if options["json"]:
            payload = {f.key: f.value for f in figures} | object_figures()
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for f in figures:
            self.stdout.write(f"{f.label}: {f.value} {f.unit}")
        for line in object_figures_text():
            self.stdout.write(line)
