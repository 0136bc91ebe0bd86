"""`shishi export ledger|appeals`: the ledger (台账) or the appeals as .xlsx or CSV."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.core.cli import parse_date
from shishi.intake.models import Appeal
from shishi.ledger.models import ItemKind
from shishi.sheets.appeals_export import (
    appeals_between,
    appeals_csv_lines,
    appeals_title,
    appeals_xlsx,
)
from shishi.sheets.ledger_export import ledger_csv_lines, ledger_items, ledger_title, ledger_xlsx


def _output(output: str | None, fmt: str):
    """The binary file to write to (stdout for CSV given "-" or nothing)."""
    if output in (None, "-"):
        if fmt == "xlsx":
            raise CommandError("An .xlsx file is binary: name a file with -o FILE.")
        return None
    path = Path(output)
    if not path.parent.is_dir():
        raise CommandError(f"No such folder: {path.parent}")
    return path


class Command(BaseCommand):
    help = "Write the ledger (台账) or the appeals as an Excel workbook or a CSV file."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="what", required=True)

        p = sub.add_parser("ledger", help="the ledger, every item but drafts")
        p.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
        p.add_argument("-o", "--output", help="the file to write (CSV may go to stdout)")
        p.add_argument("--kind", choices=ItemKind.values, help="only items of this kind")

        p = sub.add_parser("appeals", help="the appeals, newest first")
        p.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
        p.add_argument("-o", "--output", help="the file to write (CSV may go to stdout)")
        p.add_argument("--from", dest="start", help="received on or after this day (YYYY-MM-DD)")
        p.add_argument("--to", dest="end", help="received on or before this day (YYYY-MM-DD)")
        p.add_argument(
            "--with-contact",
            action="store_true",
            help="include the submitters' names, phones and e-mails (private data)",
        )

    def handle(self, *args, what: str, **opts):
        fmt = opts["format"]
        path = _output(opts["output"], fmt)
        if what == "ledger":
            items = ledger_items(kind=opts["kind"])
            if fmt == "xlsx":
                title = ledger_title(kind=opts["kind"])
                count = self._xlsx(path, lambda f: ledger_xlsx(items, f, title=title))
            else:
                count = self._csv(path, ledger_csv_lines(items))
            label = "ledger items"
        else:
            start = parse_date(opts["start"]) if opts["start"] else None
            end = parse_date(opts["end"]) if opts["end"] else None
            if start and end and start > end:
                raise CommandError("--from is after --to.")
            appeals = appeals_between(
                Appeal.objects.order_by("-received_at", "-pk"), start=start, end=end
            )
            contact = opts["with_contact"]
            if fmt == "xlsx":
                title = appeals_title()
                count = self._xlsx(
                    path, lambda f: appeals_xlsx(appeals, f, title=title, with_contact=contact)
                )
            else:
                count = self._csv(path, appeals_csv_lines(appeals, with_contact=contact))
            label = "appeals"
        where = path or "stdout"
        self.stderr.write(f"Wrote {count} {label} ({fmt}) to {where}")

    def _xlsx(self, path: Path, write) -> int:
        with path.open("wb") as file:
            return write(file)

    def _csv(self, path: Path | None, lines) -> int:
        """Write the lines; returns the number of data rows (the header is one line)."""
        count = 0
        if path is None:
            for count, line in enumerate(lines):  # noqa: B007
                self.stdout.write(line, ending="")
        else:
            with path.open("wb") as file:
                for count, line in enumerate(lines):  # noqa: B007
                    file.write(line.encode("utf-8"))
        return count
