"""`shishi restore FILE --yes`: put a backup back (database and uploads)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.ops.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Replace the database and the uploaded files with those of a backup made by "
        "`shishi backup`. Stop the server and the workers first."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: what is there now is replaced"
        )

    def handle(self, *args, file: str, yes: bool, **opts):
        if not yes:
            raise CommandError(
                "Restoring replaces the database and the uploads of this installation: "
                "run again with --yes to confirm."
            )
        try:
            manifest = backup_restore(Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']} "
            f"({manifest['uploads']} uploaded files). Run `shishi migrate` if it is older "
            "than this version."
        )
