"""`shishi import appeals FILE [--mapping NAME] [--dry-run] [--user USERNAME]` and
`shishi import items FILE --user USERNAME [--dry-run]`: the web page's import
on the command line, all rows or none, with a progress bar on stderr."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shishi.core.cli import refusals_as_command_errors, user_by_name
from shishi.sheets.results import ImportRefused, ImportReport

# Errors printed; the rest are counted.
ERRORS_PRINTED = 50
BAR_WIDTH = 30


class ProgressBar:
    """A bar redrawn in place on a terminal; elsewhere (a log file, CI) one
    line per tenth of the file."""

    def __init__(self, stream, *, interactive: bool | None = None):
        self.stream = stream
        self.interactive = stream.isatty() if interactive is None else interactive
        self.next_tenth = 1
        self.last_draw = 0.0
        self.drawn = False

    def __call__(self, rows: int, fraction: float | None) -> None:
        if self.interactive:
            now = time.monotonic()
            if now - self.last_draw < 0.1:
                return
            self.last_draw = now
            if fraction is None:
                line = _("%(rows)s rows") % {"rows": f"{rows:,}"}
            else:
                filled = round(BAR_WIDTH * fraction)
                line = "[{}{}] {:3.0f}%  {}".format(
                    "#" * filled,
                    " " * (BAR_WIDTH - filled),
                    100 * fraction,
                    _("%(rows)s rows") % {"rows": f"{rows:,}"},
                )
            self.stream.write("\r" + line)
            self.stream.flush()
            self.drawn = True
        elif fraction is not None and fraction * 10 >= self.next_tenth:
            self.next_tenth = int(fraction * 10) + 1
            self.stream.write(
                _("%(percent)d%% read, %(rows)s rows")
                % {"percent": int(fraction * 10) * 10, "rows": f"{rows:,}"}
                + "\n"
            )

    def done(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


class Command(BaseCommand):
    help = "Import appeals or ledger items from an .xlsx or .csv file: every row or none."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="kind", required=True)
        p = sub.add_parser(
            "appeals", help="appeals, one a row (留言编号, 留言主题 … or a 311 export)"
        )
        p.add_argument("file", type=Path)
        p.add_argument(
            "--mapping", help="a saved or built-in mapping (teddy2020, nyc311, baltimore311 …)"
        )
        p.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        p.add_argument("--user", help="who imports (recorded in the appeals' history)")
        p = sub.add_parser("items", help="ledger items (序号, 项目名称, 类别, 牵头单位 …)")
        p.add_argument("file", type=Path)
        p.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        p.add_argument("--user", required=True, help="who imports (needs the right to)")

    def handle(self, *args, kind, file: Path, dry_run: bool, user=None, **opts):
        if not file.is_file():
            raise CommandError(_("%(file)s: no such file.") % {"file": file})
        actor = user_by_name(user) if user else None
        bar = ProgressBar(self.stderr._out)
        try:
            with refusals_as_command_errors():
                if kind == "appeals":
                    if actor is not None and not actor.has_perm("sheets.import_appeals"):
                        raise CommandError(
                            _("%(user)s may not import appeals.") % {"user": actor.username}
                        )
                    from shishi.sheets.appeals import appeals_import

                    report = appeals_import(
                        file,
                        name=file.name,
                        mapping=opts.get("mapping"),
                        actor=actor,
                        commit=not dry_run,
                        progress=bar,
                        # A command is one thread: the rows may be checked in a
                        # worker process while this one stores.
                        parallel=True,
                    )
                else:
                    from shishi.sheets.items import items_import

                    report = items_import(
                        file, name=file.name, actor=actor, commit=not dry_run, progress=bar
                    )
        except ImportRefused as err:
            raise CommandError(str(err)) from None
        finally:
            bar.done()
        self.print_report(report, dry_run=dry_run)

    def print_report(self, report: ImportReport, *, dry_run: bool) -> None:
        for column, names in report.unmatched.items():
            shown = sorted(names)
            self.stdout.write(
                _("%(file)s: “%(column)s” names that match nothing stored: %(names)s")
                % {"file": report.file_name, "column": column, "names": "、".join(shown)}
            )
        if not report.ok:
            for error in report.errors[:ERRORS_PRINTED]:
                self.stderr.write(f"{report.file_name} {error}")
            if report.error_count > ERRORS_PRINTED:
                self.stderr.write(
                    _("… and %(count)s more.")
                    % {"count": f"{report.error_count - ERRORS_PRINTED:,}"}
                )
            raise CommandError(
                _(
                    "%(file)s: %(errors)s of %(rows)s rows have errors. Nothing was stored: "
                    "correct the file and import it again."
                )
                % {
                    "file": report.file_name,
                    "errors": f"{report.error_count:,}",
                    "rows": f"{report.rows:,}",
                }
            )
        figures = {
            "file": report.file_name,
            "rows": f"{report.rows:,}",
            "created": f"{report.created:,}",
            "new": f"{report.valid - report.skipped:,}",
            "skipped": f"{report.skipped:,}",
        }
        if report.committed:
            message = _(
                "%(file)s: %(rows)s rows read, %(created)s stored, %(skipped)s skipped "
                "(imported before or repeated in the file)."
            )
        else:
            message = _(
                "%(file)s: %(rows)s rows checked without errors; %(new)s would be stored, "
                "%(skipped)s skipped (imported before or repeated in the file). Nothing "
                "stored (--dry-run)."
            )
        self.stdout.write(message % figures)
