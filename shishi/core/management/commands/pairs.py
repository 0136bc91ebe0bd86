"""`shishi pairs`: whether each listed pair of appeals is the same matter.

    shishi pairs --input MESSAGES.xlsx --pairs PAIRS.csv --output OUT.csv

PAIRS.csv has the columns ``id_a,id_b`` (ids of MESSAGES' id column,
留言编号 unless --id-column names another); OUT.csv has ``id_a, id_b,
same_matter, score``: ``same_matter`` is 1 exactly when the app would call
the two the same matter (`shishi.combing.pairs.same_matter`, the decision
behind the duplicate suggestions and the hot issues), ``score`` the pair
model's score. All of MESSAGES is read as one batch, as an index of those
appeals would be (a place named by very many of them is not specific).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.combing import io
from shishi.combing import pairs as pm
from shishi.core.management.commands.classify import split_columns


class Command(BaseCommand):
    help = "Decide for each pair of PAIRS.csv (id_a,id_b) whether the two appeals are one matter."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path, help=".xlsx or .csv of appeals")
        parser.add_argument("--pairs", required=True, type=Path, help=".csv with id_a,id_b")
        parser.add_argument("--output", required=True, type=Path, help="the .csv to write")
        parser.add_argument("--id-column", default=io.DEFAULT_ID_COLUMN, help="default: 留言编号")
        parser.add_argument("--text-columns", help="comma-separated (default: 留言主题,留言详情)")

    def handle(self, *args, **opts):
        try:
            self.run(**opts)
        except io.TableError as err:
            raise CommandError(str(err)) from None

    def run(self, *, input, pairs, output, id_column, text_columns, **_):
        table = io.read_table(input)
        columns = io.text_columns(table, split_columns(text_columns))
        ids = [c.strip() for c in table.column(id_column)]
        row_of: dict[str, int] = {}
        for i, ident in enumerate(ids):
            if not ident:
                raise CommandError(f"{input}: row {i + 2}, column “{id_column}”: the id is empty.")
            if ident in row_of:
                raise CommandError(
                    f"{input}: row {i + 2}, column “{id_column}”: the id “{ident}” is also on "
                    f"row {row_of[ident] + 2}; a pair must name one appeal."
                )
            row_of[ident] = i
        listed = io.read_table(pairs)
        a_ids, b_ids = listed.column("id_a"), listed.column("id_b")
        ia, ib = [], []
        for r, (a, b) in enumerate(zip(a_ids, b_ids, strict=True)):
            for field, value, target in (("id_a", a, ia), ("id_b", b, ib)):
                value = value.strip()
                if value not in row_of:
                    raise CommandError(
                        f"{pairs}: row {r + 2}, field “{field}”: no appeal “{value}” in "
                        f"{input} (column “{id_column}”)."
                    )
                target.append(row_of[value])
        texts = io.table_texts(table, columns)
        enc = pm.encode(texts, normalised=True)
        score = pm.score(pm.pair_features(enc, ia, enc, ib))
        same = score >= pm.THRESHOLD
        io.write_csv(
            output,
            ["id_a", "id_b", "same_matter", "score"],
            (
                [a.strip(), b.strip(), int(s), round(float(p), 4)]
                for a, b, s, p in zip(a_ids, b_ids, same.tolist(), score.tolist(), strict=True)
            ),
        )
        self.stdout.write(f"{output}: {len(ia)} pairs, {int(same.sum())} of them the same matter.")
