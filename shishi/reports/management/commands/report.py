"""`shishi report weekly|summary`: the reports the web shows, written to a file."""

import sys
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from shishi.core.cli import parse_date, parse_week
from shishi.ledger.models import iso_week_label, week_start


def _write(data: bytes, output: str | None, fmt: str) -> str:
    if output in (None, "-"):
        if fmt not in ("html", "csv"):
            raise CommandError(f"A {fmt} report is binary: name a file with -o FILE.")
        sys.stdout.buffer.write(data)
        return "-"
    path = Path(output)
    if not path.parent.is_dir():
        raise CommandError(f"No such folder: {path.parent}")
    path.write_bytes(data)
    return str(path)


class Command(BaseCommand):
    help = "Write the weekly bulletin or the campaign summary as HTML, Excel or PDF."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="report", required=True)

        p = sub.add_parser("weekly", help="the weekly bulletin (周调度通报) for an ISO week")
        p.add_argument(
            "--week", required=True, help="ISO week such as 2021-W40, or a date in the week"
        )
        p.add_argument("--format", default="html", choices=["html", "xlsx", "pdf"])
        p.add_argument("-o", "--output", help="the file to write (HTML may go to stdout)")

        p = sub.add_parser("summary", help="the campaign summary (综述)")
        p.add_argument("--format", default="html", choices=["html", "pdf"])
        p.add_argument("-o", "--output", help="the file to write (HTML may go to stdout)")

        p = sub.add_parser("rates", help="the three rates (三率) per unit for a period")
        p.add_argument("--from", dest="date_from", required=True, help="first day, YYYY-MM-DD")
        p.add_argument("--to", dest="date_to", required=True, help="last day, YYYY-MM-DD")
        p.add_argument("--format", default="csv", choices=["csv", "xlsx", "html"])
        p.add_argument("-o", "--output", help="the file to write (CSV and HTML may go to stdout)")

    def handle(self, *args, report: str, **opts):
        fmt = opts["format"]
        if report == "weekly":
            from shishi.reports.weekly import WeekNotStarted, bulletin_render

            monday = week_start(parse_week(opts["week"]))
            try:
                data = bulletin_render(monday, fmt)
            except (WeekNotStarted, ImproperlyConfigured) as err:
                raise CommandError(str(err)) from None
            written = _write(data, opts["output"], fmt)
            label = f"weekly bulletin {iso_week_label(monday)}"
        elif report == "rates":
            from shishi.reports.rates import rates_render

            first, last = parse_date(opts["date_from"]), parse_date(opts["date_to"])
            if last < first:
                raise CommandError(f"--to {last} is before --from {first}.")
            written = _write(rates_render(first, last, fmt), opts["output"], fmt)
            label = f"three rates {first}–{last}"
        else:
            from shishi.reports.summary import summary_render

            try:
                data = summary_render(fmt)
            except ImproperlyConfigured as err:
                raise CommandError(str(err)) from None
            written = _write(data, opts["output"], fmt)
            label = "campaign summary"
        if written != "-":
            self.stderr.write(f"Wrote the {label} ({fmt}) to {written}")
