from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from shishi.paths import secret_key_ensure


class Command(BaseCommand):
    help = (
        "Prepare an installation: write a secret key if none is set, migrate, collect static files."
    )

    def handle(self, *args, **options):
        # Outside DEBUG the console script wrote it before the settings loaded
        # (shishi/__main__.py); a DEBUG run gets its file here.
        secret_key_ensure()
        call_command("migrate", interactive=False, verbosity=1)
        # Only when the static sources changed since the last collection.
        from shishi.ops.staticstamp import collectstatic_if_changed

        collectstatic_if_changed(verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Ready. Data folder: {settings.DATA_DIR}"))
