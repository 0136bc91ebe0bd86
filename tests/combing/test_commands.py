"""`shishi classify` and `shishi cluster` on small tables; bad input gives a clear error."""

import csv
from io import StringIO

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.combing.test_classify import LABELLED
from tests.combing.test_cluster import NOISE, PARKING, SINGLES


def shishi(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_csv(path):
    with open(path, encoding="utf-8-sig") as handle:
        return list(csv.reader(handle))


@pytest.fixture
def train(tmp_path):
    rows = [(str(i), t, "\n\t\t\t" + t, label) for i, (t, label) in enumerate(LABELLED)]
    return write_csv(tmp_path / "train.csv", ["留言编号", "留言主题", "留言详情", "一级分类"], rows)


def test_classify_writes_one_row_per_input_row_in_order(tmp_path, train):
    new = write_csv(
        tmp_path / "new.csv",
        ["留言编号", "留言主题", "留言详情"],
        [
            ("z9", "老板拖欠工资", "半年没发工资"),
            ("a1", "小区停车难", "车位不够"),
            ("m5", "学校招生", ""),
        ],
        encoding="gb18030",
    )
    out = tmp_path / "out.csv"
    message = shishi("classify", "--train", str(train), "--input", str(new), "--output", str(out))
    rows = read_csv(out)
    assert rows[0] == ["留言编号", "predicted_category", "confidence", "low_confidence"]
    assert [r[0] for r in rows[1:]] == ["z9", "a1", "m5"]
    assert [r[1] for r in rows[1:]] == ["劳动和社会保障", "城乡建设", "教育文体"]
    assert all(0 < float(r[2]) <= 1 and r[3] in {"0", "1"} for r in rows[1:])
    assert "3 appeals classified" in message


def test_classify_with_named_columns_and_no_id_column(tmp_path):
    rows = [(t, label) for t, label in LABELLED]
    train = write_csv(tmp_path / "t.csv", ["内容", "类别"], rows)
    new = write_csv(tmp_path / "n.csv", ["内容"], [("学位紧张",), ("工资拖欠",)])
    out = tmp_path / "o.csv"
    shishi(
        "classify",
        "--train",
        str(train),
        "--input",
        str(new),
        "--output",
        str(out),
        "--text-columns",
        "内容",
        "--label-column",
        "类别",
    )
    assert [r[:2] for r in read_csv(out)[1:]] == [["2", "教育文体"], ["3", "劳动和社会保障"]]


def test_classify_names_the_missing_label_column(tmp_path, train):
    new = write_csv(tmp_path / "new.csv", ["留言主题"], [("停车难",)])
    with pytest.raises(CommandError, match="train.csv: no column “类别”"):
        shishi(
            "classify",
            "--train",
            str(train),
            "--input",
            str(new),
            "--output",
            str(tmp_path / "o.csv"),
            "--label-column",
            "类别",
        )


def test_classify_names_a_missing_text_column(tmp_path, train):
    new = write_csv(tmp_path / "new.csv", ["编号", "正文"], [("1", "停车难")])
    with pytest.raises(CommandError, match="new.csv: no text column"):
        shishi(
            "classify",
            "--train",
            str(train),
            "--input",
            str(new),
            "--output",
            str(tmp_path / "o.csv"),
        )


def test_classify_refuses_empty_and_unreadable_files(tmp_path, train):
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bad.xlsx").write_bytes(b"PK not really")
    for name, message in (("empty.csv", "the file is empty"), ("bad.xlsx", "not a readable .xlsx")):
        with pytest.raises(CommandError, match=f"{name}: {message}"):
            shishi(
                "classify",
                "--train",
                str(train),
                "--input",
                str(tmp_path / name),
                "--output",
                str(tmp_path / "o.csv"),
            )


def test_cluster_writes_ids_and_a_ranked_hot_issue_table(tmp_path):
    texts = NOISE + PARKING + SINGLES
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["留言编号", "留言用户", "留言主题", "留言时间", "留言详情", "反对数", "点赞数"])
    for i, text in enumerate(texts):
        sheet.append([1000 + i, f"u{i}", text, f"2019/7/{i + 1} 10:00:00", "\n\t\t" + text, 0, i])
    book.save(tmp_path / "in.xlsx")
    out, hot = tmp_path / "c.csv", tmp_path / "hot.xlsx"
    shishi(
        "cluster",
        "--input",
        str(tmp_path / "in.xlsx"),
        "--output",
        str(out),
        "--hot-issues",
        str(hot),
    )
    rows = read_csv(out)
    assert rows[0] == ["留言编号", "cluster_id"]
    assert [r[0] for r in rows[1:]] == [str(1000 + i) for i in range(len(texts))]
    ids = [r[1] for r in rows[1:]]
    assert len(set(ids[:4])) == 1 and len(set(ids[4:7])) == 1
    table = list(openpyxl.load_workbook(hot, read_only=True).active.iter_rows(values_only=True))
    assert table[0][:5] == ("排名", "热度", "代表标题", "地点", "时间范围")
    assert [r[0] for r in table[1:]] == [1, 2]
    assert table[1][1] >= table[2][1]
    assert table[1][8] == "1004 1005 1006"  # the parking issue: more likes, later


def test_cluster_names_row_and_column_of_a_bad_number(tmp_path):
    write_csv(
        tmp_path / "in.csv",
        ["留言编号", "留言主题", "点赞数"],
        [("1", "停车难", "3"), ("2", "停车难啊", "很多")],
    )
    with pytest.raises(CommandError, match="in.csv: row 3, column “点赞数”"):
        shishi(
            "cluster",
            "--input",
            str(tmp_path / "in.csv"),
            "--output",
            str(tmp_path / "o.csv"),
            "--hot-issues",
            str(tmp_path / "h.csv"),
        )


def test_classify_learns_weak_labels_from_an_unlabelled_table_with_replies(tmp_path, train):
    # 驾驶证 appears in no labelled row; the replies name an office (on purpose one
    # no text would suggest) so that only the weak labels can decide.
    replies = write_csv(
        tmp_path / "replies.csv",
        ["留言编号", "留言主题", "留言详情", "答复意见"],
        [
            ("r1", "驾驶证换证", "驾驶证到期怎么换", "经a市教育局调查，现答复如下"),
            ("r2", "驾驶证补办", "驾驶证丢了", "经a市教育局核实，现答复如下"),
            ("r3", "驾驶证年审", "驾驶证年审流程", "已转a市教育局调查处理"),
            ("r4", "路灯不亮", "建设路路灯不亮", "感谢您的关注"),
        ],
    )
    new = write_csv(tmp_path / "new.csv", ["留言编号", "留言主题"], [("n1", "驾驶证过期了")])
    out = tmp_path / "out.csv"
    message = shishi(
        "classify", "--train", str(train), "--input", str(new), "--output", str(out),
        "--unlabelled", str(replies),
    )  # fmt: skip
    assert "3 weak labels from the replying office" in message
    assert read_csv(out)[1][1] == "教育文体"
