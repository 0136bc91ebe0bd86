"""The `shishi` console script: every Django management command is a subcommand."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shishi.settings")
    if sys.argv[1:2] == ["init"]:
        # The settings refuse to load without a secret: write it before Django starts.
        from shishi.paths import secret_key_ensure

        written = secret_key_ensure()
        if written:
            print(f"Wrote a new secret key to {written}")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shishi", *sys.argv[1:]])


if __name__ == "__main__":
    main()
