"""`shishi cluster`: group the appeals of a table into issues and rank the hot ones.

A thin wrapper over `shishi.combing.cluster`: a cluster id per row (input
order) to OUTPUT.csv and, with --hot-issues, the hot-issue table ranked by
heat (the heat index is defined in the module's docstring). Clusters are
matters (`matter_clusters`: the same decision as the duplicate suggestions
and `shishi pairs`), as on the hot-issues page; ``--similarity`` asks for
the broader topic clusters of `cluster_texts` instead.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from shishi.combing import io
from shishi.combing.cluster import cluster_texts, hot_issues, matter_clusters
from shishi.core.management.commands.classify import Command as ClassifyCommand
from shishi.core.management.commands.classify import split_columns

HOT_HEADER = [
    "排名",
    "热度",
    "代表标题",
    "地点",
    "时间范围",
    "留言数",
    "留言人数",
    "点赞与反对数",
    "留言编号",
    "事项",
]


class Command(BaseCommand):
    help = "Cluster the appeals of INPUT into issues; optionally write the hot-issue table."

    def add_arguments(self, parser):
        parser.add_argument("--input", required=True, type=Path, help=".xlsx or .csv of appeals")
        parser.add_argument("--output", required=True, type=Path, help="the .csv of cluster ids")
        parser.add_argument("--hot-issues", type=Path, help="the hot-issue table (.xlsx or .csv)")
        parser.add_argument("--text-columns", help="comma-separated (default: 留言主题,留言详情)")
        parser.add_argument("--id-column", help="default: 留言编号")
        parser.add_argument(
            "--similarity",
            type=float,
            default=None,
            help="topic clusters instead of matters: the cosine at which appeals join one",
        )
        parser.add_argument("--min-size", type=int, default=2, help="smallest hot issue")

    def handle(self, *args, **opts):
        try:
            self.run(**opts)
        except io.TableError as err:
            raise CommandError(str(err)) from None

    def run(self, *, input, output, hot_issues: Path | None, **opts):
        if hot_issues and hot_issues.suffix.lower() not in (".xlsx", ".csv"):
            raise CommandError(f"{hot_issues}: the hot-issue table must be .xlsx or .csv.")
        if opts["similarity"] is not None and not 0 < opts["similarity"] <= 1:
            raise CommandError("--similarity must be in (0, 1].")
        table = io.read_table(input)
        columns = io.text_columns(table, split_columns(opts["text_columns"]))
        texts = io.table_texts(table, columns)
        ids, id_header = ClassifyCommand.ids(table, opts["id_column"])
        if opts["similarity"] is None:
            labels = matter_clusters(texts)
        else:
            labels = cluster_texts(texts, similarity=opts["similarity"])
        io.write_csv(output, [id_header, "cluster_id"], zip(ids, labels.tolist(), strict=True))
        clusters = len(set(labels.tolist()))
        self.stdout.write(f"{output}: {len(ids)} appeals in {clusters} clusters.")
        if hot_issues:
            issues = self.issues(table, columns, texts, ids, labels, opts["min_size"])
            rows = [
                [
                    h.rank,
                    h.heat,
                    h.title,
                    "、".join(h.places),
                    h.time_span,
                    h.appeals,
                    h.residents,
                    h.votes,
                    " ".join(h.ids),
                    h.matter,
                ]
                for h in issues
            ]
            write_table(hot_issues, HOT_HEADER, rows)
            self.stdout.write(f"{hot_issues}: {len(rows)} hot issues, hottest first.")

    @staticmethod
    def issues(table, columns, texts, ids, labels, min_size):
        title_column = "留言主题" if table.has("留言主题") else columns[0]
        times = (
            [io.parse_time(c) for c in table.column("留言时间")] if table.has("留言时间") else None
        )
        return hot_issues(
            labels=labels.tolist(),
            ids=ids,
            titles=table.column(title_column),
            texts=texts,
            users=table.column("留言用户") if table.has("留言用户") else None,
            times=times,
            likes=io.int_column(table, "点赞数") if table.has("点赞数") else None,
            dislikes=io.int_column(table, "反对数") if table.has("反对数") else None,
            min_size=min_size,
        )


def write_table(path: Path, header: list[str], rows: list[list]) -> None:
    if path.suffix.lower() == ".csv":
        io.write_csv(path, header, rows)
        return
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("热点问题")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    try:
        book.save(path)
    except OSError as err:
        raise CommandError(f"{path}: cannot be written ({err.strerror}).") from None
