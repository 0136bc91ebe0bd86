import secrets

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Prepare an installation: write a secret key if none is set, migrate, collect static files."
    )

    def handle(self, *args, **options):
        secret_file = settings.DATA_DIR / "secret_key"
        if not secret_file.exists():
            settings.DATA_DIR.mkdir(parents=True, exist_ok=True)
            secret_file.write_text(secrets.token_urlsafe(50), encoding="utf-8")
            secret_file.chmod(0o600)
            self.stdout.write(f"Wrote a new secret key to {secret_file}")
        call_command("migrate", interactive=False, verbosity=1)
        call_command("collectstatic", interactive=False, verbosity=0)
        self.stdout.write(self.style.SUCCESS(f"Ready. Data folder: {settings.DATA_DIR}"))
