"""`shishi classify`: suggest a category for each appeal of a table (大梳理).

A thin wrapper over `shishi.combing.classify.Classifier`: read the tables,
train on the labelled one (plus the taxonomy and unlabelled tables when
given), write one row per input row, in input order. An unlabelled table
with a 答复意见 column lends weak labels: a row whose reply names an office
that `routing.office_category` maps to a category is learnt from as that
category, with a lower weight (the replying office as a weak label).
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.combing import io
from shishi.combing.classify import LOW_CONFIDENCE, Classifier
from shishi.combing.routing import extract_office, office_category

REPLY_COLUMN = "答复意见"


def split_columns(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [c.strip() for c in value.split(",") if c.strip()] or None


class Command(BaseCommand):
    help = (
        "Suggest a category for each appeal of INPUT, learnt from LABELLED; writes OUTPUT.csv "
        "with the id, predicted_category, confidence and low_confidence "
        f"(1 when the confidence is below {LOW_CONFIDENCE})."
    )

    def add_arguments(self, parser):
        parser.add_argument("--train", required=True, type=Path, help="labelled .xlsx or .csv")
        parser.add_argument("--input", required=True, type=Path, help="appeals to classify")
        parser.add_argument("--output", required=True, type=Path, help="the .csv to write")
        parser.add_argument(
            "--taxonomy", type=Path, help="category tree (一级分类, 二级分类, 三级分类)"
        )
        parser.add_argument(
            "--unlabelled", type=Path, nargs="*", default=[], help="tables of unlabelled appeals"
        )
        parser.add_argument("--text-columns", help="comma-separated (default: 留言主题,留言详情)")
        parser.add_argument("--label-column", help="default: 一级分类 or 一级标签")
        parser.add_argument("--id-column", help="default: 留言编号")

    def handle(self, *args, **opts):
        try:
            self.run(**opts)
        except io.TableError as err:
            raise CommandError(str(err)) from None

    def run(self, *, train, input, output, taxonomy, unlabelled, **opts):
        wanted = split_columns(opts["text_columns"])
        labelled = io.read_table(train)
        new = io.read_table(input)

        label_column = opts["label_column"] or labelled.first_present(io.DEFAULT_LABEL_COLUMNS)
        if label_column is None:
            raise CommandError(
                f"{train}: no label column “一级分类” or “一级标签”; name it with --label-column "
                f"(the header row has: {', '.join(labelled.header)})."
            )
        labels = labelled.column(label_column)
        train_texts = io.table_texts(labelled, io.text_columns(labelled, wanted))
        if not any(label.strip() for label in labels):
            raise CommandError(f"{train}: column “{label_column}” has no label in any row.")

        new_columns = io.text_columns(new, wanted)
        texts = io.table_texts(new, new_columns)
        ids, id_header = self.ids(new, opts["id_column"])

        extra: list[str] = []
        weak_texts: list[str] = []
        weak_labels: list[str] = []
        for path in unlabelled:
            table = io.read_table(path)
            table_texts = io.table_texts(table, io.text_columns(table, wanted))
            replies = table.column(REPLY_COLUMN) if table.has(REPLY_COLUMN) else None
            for k, text in enumerate(table_texts):
                category = office_category(extract_office(replies[k])) if replies else None
                if category:
                    weak_texts.append(text)
                    weak_labels.append(category)
                else:
                    extra.append(text)
        tree = self.taxonomy(taxonomy) if taxonomy else []

        try:
            model = Classifier().fit(
                texts=train_texts,
                labels=labels,
                unlabelled=extra,
                taxonomy=tree,
                weak_texts=weak_texts,
                weak_labels=weak_labels,
            )
        except ValueError as err:
            raise CommandError(f"{train}: cannot train: {err}") from None
        suggestions = model.predict(texts=texts)
        io.write_csv(
            output,
            [id_header, "predicted_category", "confidence", "low_confidence"],
            (
                [i, s.category, f"{s.confidence:.4f}", int(s.low_confidence)]
                for i, s in zip(ids, suggestions, strict=True)
            ),
        )
        low = sum(s.low_confidence for s in suggestions)
        self.stdout.write(
            f"{output}: {len(suggestions)} appeals classified into {len(model.classes_)} "
            f"categories; {low} with low confidence (< {LOW_CONFIDENCE}); "
            f"{len(weak_texts)} weak labels from the replying office."
        )

    @staticmethod
    def ids(table: io.Table, column: str | None) -> tuple[list[str], str]:
        if column:
            return [c.strip() for c in table.column(column)], column
        if table.has(io.DEFAULT_ID_COLUMN):
            return [c.strip() for c in table.column(io.DEFAULT_ID_COLUMN)], io.DEFAULT_ID_COLUMN
        return [str(i + 2) for i in range(len(table))], "行号"

    @staticmethod
    def taxonomy(path: Path) -> list[list[str]]:
        table = io.read_table(path)
        names = [c for c in ("一级分类", "二级分类", "三级分类") if table.has(c)]
        if "一级分类" not in names:
            raise CommandError(
                f"{path}: no column “一级分类” (the header row has: {', '.join(table.header)})."
            )
        columns = [table.column(c) for c in names]
        return [list(row) for row in zip(*columns, strict=True)]
