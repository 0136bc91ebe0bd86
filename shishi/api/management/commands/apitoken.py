"""`shishi apitoken create|revoke --user NAME`: a staff account's REST API token."""

from django.core.management.base import BaseCommand

from shishi.api.services import api_token_create, api_token_revoke
from shishi.core.cli import refusals_as_command_errors, user_by_name


class Command(BaseCommand):
    help = "Create (printing it once) or revoke a staff account's REST API token."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        p = sub.add_parser("create", help="a new token (replaces the old one); prints its key")
        p.add_argument("--user", required=True)
        p = sub.add_parser("revoke", help="remove the account's token")
        p.add_argument("--user", required=True)

    def handle(self, *args, action: str, user: str, **opts):
        account = user_by_name(user)
        with refusals_as_command_errors():
            if action == "create":
                self.stdout.write(api_token_create(user=account))
            elif api_token_revoke(user=account):
                self.stdout.write(f"The token of {account.username} is revoked.")
            else:
                self.stdout.write(f"{account.username} had no token.")
