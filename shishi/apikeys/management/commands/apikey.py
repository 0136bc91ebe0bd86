"""`shishi apikey create|revoke|list`: keys for Open311 clients."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from shishi.apikeys.models import ApiKey
from shishi.apikeys.services import apikey_create, apikey_revoke
from shishi.core.cli import refusals_as_command_errors


def key_by_name(name: str) -> ApiKey:
    key = ApiKey.objects.filter(name=name).first()
    if key is None:
        raise CommandError(f"No API key named “{name}”.")
    return key


class Command(BaseCommand):
    help = "API keys for Open311 clients: create (prints the key once), revoke, list."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create", help="create a key; prints it once, it is stored hashed")
        p.add_argument("--name", required=True, help="the client's name (unique)")
        p.add_argument(
            "--rate",
            type=int,
            default=None,
            help="requests per minute (default: SHISHI_API_KEY_RATE_PER_MINUTE)",
        )
        p = sub.add_parser("revoke", help="revoke a key: its requests are refused from now on")
        p.add_argument("name")
        sub.add_parser("list", help="every key: name, prefix, limit, state")

    def handle(self, *args, action: str, **opts):
        with refusals_as_command_errors():
            getattr(self, f"do_{action}")(**opts)

    def do_create(self, *, name, rate, **_):
        key, raw = apikey_create(name=name, rate_per_minute=rate)
        self.stderr.write(
            f"API key for “{key.name}” ({key.rate_limit} requests per minute). "
            "It is shown only now; store it safely:"
        )
        self.stdout.write(raw)

    def do_revoke(self, *, name, **_):
        key = apikey_revoke(key=key_by_name(name))
        self.stdout.write(f"Revoked “{key.name}” ({key.prefix}…).")

    def do_list(self, **_):
        for key in ApiKey.objects.order_by("name"):
            state = (
                f"revoked {timezone.localtime(key.revoked_at):%Y-%m-%d %H:%M}"
                if key.revoked_at
                else "active"
            )
            used = (
                f"{timezone.localtime(key.last_used_at):%Y-%m-%d %H:%M}"
                if key.last_used_at
                else "never used"
            )
            self.stdout.write(f"{key.name}\t{key.prefix}…\t{key.rate_limit}/min\t{state}\t{used}")
