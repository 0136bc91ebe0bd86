"""`shishi programmes …`: the catalogue and asset register in and out of
Excel, and the computed target actuals refreshed."""

import sys
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shishi.programmes.services import targets_refresh
from shishi.programmes.sheets import (
    REGISTERS,
    ImportRefused,
    register_csv,
    register_import,
    register_xlsx,
)


class Command(BaseCommand):
    help = (
        "Import or export the service catalogue and the asset register; refresh computed targets."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("import", help="import a register from .xlsx or .csv (all or nothing)")
        p.add_argument("register", choices=sorted(REGISTERS))
        p.add_argument("file", type=Path)
        p.add_argument("--user", required=True, help="who imports (recorded in the history)")
        p.add_argument("--dry-run", action="store_true", help="check every row, store nothing")
        p = sub.add_parser("export", help="export a register")
        p.add_argument("register", choices=sorted(REGISTERS))
        p.add_argument("--format", default="xlsx", choices=["xlsx", "csv"])
        p.add_argument("-o", "--output", help="the file to write (CSV may go to stdout)")
        sub.add_parser("refresh-targets", help="recompute the actuals of targets bound to rows")

    def handle(self, *args, action: str, **opts):
        if action == "refresh-targets":
            changed = targets_refresh()
            self.stdout.write(f"{changed} target actual(s) changed.")
            return
        register = REGISTERS[opts["register"]]
        if action == "export":
            self.export(register, opts["format"], opts["output"])
            return
        try:
            user = get_user_model().objects.get(username=opts["user"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"No such user: {opts['user']}") from None
        path = opts["file"]
        try:
            report = register_import(
                register, path, name=path.name, actor=user, dry_run=opts["dry_run"]
            )
        except ImportRefused as refused:
            raise CommandError(str(refused)) from None
        for error in report.errors:
            self.stderr.write(f"{report.file_name} {error}")
        if report.error_count > len(report.errors):
            self.stderr.write(f"… {report.error_count - len(report.errors)} more errors")
        if not report.ok:
            raise CommandError(
                f"{report.error_count} error(s) in {report.rows} row(s); nothing was stored."
            )
        verb = "checked" if opts["dry_run"] else "stored"
        self.stdout.write(
            f"{report.rows} row(s) read, {report.valid} valid, {report.created} {verb}."
        )

    def export(self, register, fmt: str, output: str | None) -> None:
        if fmt == "xlsx":
            if not output:
                raise CommandError("An .xlsx file is binary: name a file with -o FILE.")
            with open(output, "wb") as file:
                register_xlsx(register, file)
        elif output:
            with open(output, "w", encoding="utf-8", newline="") as file:
                file.writelines(register_csv(register))
        else:
            sys.stdout.writelines(register_csv(register))
