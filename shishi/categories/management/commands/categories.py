"""`shishi categories load FILE` and `shishi categories list`."""

import csv
import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.categories.models import Category
from shishi.categories.services import category_tree_load
from shishi.core.cli import refusals_as_command_errors


def read_rows(path: Path):
    """Rows of level names from .xlsx or .csv (UTF-8 or GB18030); header row skipped."""
    if not path.is_file():
        raise CommandError(f"{path}: no such file.")
    if path.suffix.lower() == ".xlsx":
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
            raise CommandError(f"{path}: not a readable .xlsx workbook ({err}).") from None
        rows = list(workbook.active.iter_rows(values_only=True))
        workbook.close()
    elif path.suffix.lower() == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise CommandError(f"{path}: neither UTF-8 nor GB18030 text.")
        rows = list(csv.reader(text.splitlines()))
    else:
        raise CommandError(f"{path}: use a .xlsx or .csv file.")
    return rows[1:]


class Command(BaseCommand):
    help = "Load a category tree (one row per leaf: 一级分类, 二级分类, 三级分类 …) or list it."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="create the categories a file names (idempotent)")
        load.add_argument("file", type=Path)
        sub.add_parser("list", help="print the tree with codes")

    def handle(self, *args, action, **opts):
        if action == "list":
            self.print_tree(None, 0)
            return
        rows = read_rows(opts["file"])
        with refusals_as_command_errors():
            created, existing = category_tree_load(rows)
        self.stdout.write(
            f"{opts['file']}: {created} categories created, {existing} already there."
        )

    def print_tree(self, parent, depth):
        for category in Category.objects.filter(parent=parent).order_by("sort_order", "name"):
            self.stdout.write(f"{'  ' * depth}{category.name}\t{category.code}")
            self.print_tree(category, depth + 1)
