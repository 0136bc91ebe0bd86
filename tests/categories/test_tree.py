from io import StringIO
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from shishi.categories.models import Category
from shishi.categories.services import category_tree_load

pytestmark = pytest.mark.django_db

TAXONOMY = (
    Path(__file__).resolve().parents[2].parent / "shared" / "data" / "teddy2020" / "taxonomy.xlsx"
)


@pytest.mark.skipif(not TAXONOMY.exists(), reason="shared/data is not beside the checkout")
def test_the_competition_taxonomy_loads_as_a_three_level_tree():
    out = StringIO()
    call_command("categories", "load", str(TAXONOMY), stdout=out)
    roots = Category.objects.roots()
    assert {
        "城乡建设",
        "环境保护",
        "交通运输",
        "教育文体",
        "劳动和社会保障",
        "商贸旅游",
        "卫生计生",
    } <= set(roots.values_list("name", flat=True))
    leaf = Category.objects.get(
        name="安全隐患", parent__name="安全生产", parent__parent__name="城乡建设"
    )
    assert leaf.path == "城乡建设 › 安全生产 › 安全隐患"
    count = Category.objects.count()
    # Loading again creates nothing and keeps the codes.
    codes = dict(Category.objects.values_list("pk", "code"))
    call_command("categories", "load", str(TAXONOMY), stdout=StringIO())
    assert Category.objects.count() == count
    assert dict(Category.objects.values_list("pk", "code")) == codes


def test_a_row_with_a_gap_is_refused_by_number_and_nothing_is_kept():
    with pytest.raises(ValidationError, match="2"):
        category_tree_load([["教育", "学位"], ["卫生", None, "疫苗"]])
    assert not Category.objects.exists()


def test_a_file_that_is_not_a_workbook_is_refused(tmp_path):
    fake = tmp_path / "taxonomy.xlsx"
    fake.write_text("this is not a spreadsheet")
    with pytest.raises(CommandError, match="not a readable .xlsx"):
        call_command("categories", "load", str(fake))


def test_a_gbk_csv_loads(tmp_path):
    path = tmp_path / "cats.csv"
    path.write_bytes("一级,二级\n教育,学位\n教育,校舍\n".encode("gb18030"))
    call_command("categories", "load", str(path), stdout=StringIO())
    assert Category.objects.get(name="教育").children.count() == 2
