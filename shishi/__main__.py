"""The `shishi` console script: every Django management command is a subcommand."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shishi.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["shishi", *sys.argv[1:]])


if __name__ == "__main__":
    main()
