"""`shishi backup [-o FILE]`: the database and the uploads in one .tar file."""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shishi.ops.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the database (online) and the uploaded files into one .tar file."

    def add_arguments(self, parser):
        parser.add_argument(
            "-o",
            "--output",
            help="the file to write (default: DATA_DIR/backups/shishi-YYYYmmdd-HHMMSS.tar)",
        )

    def handle(self, *args, output=None, **opts):
        if output:
            path = Path(output)
        else:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")  # noqa: DTZ005 - a file name
            path = Path(settings.DATA_DIR) / "backups" / f"shishi-{stamp}.tar"
        try:
            manifest = backup_create(path)
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Backed up the {manifest['engine']} database and {manifest['uploads']} "
            f"uploaded files to {path}"
        )
