import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from shishi.liaison.models import Household, Pairing
from shishi.liaison.services import member_create
from shishi.liaison.sheets import households_import

DAY = dt.date(2021, 4, 1)


def _csv(text: str) -> io.BytesIO:
    return io.BytesIO(text.encode("utf-8"))


def test_a_household_list_is_imported_and_paired(bob, district):
    member_create(name="王红", community=district["community"], actor=bob)
    stored = households_import(
        community=district["community"],
        file=_csv("地址,户主,联户党员\n1号楼101,李明,王红\n1号楼102,,\n"),
        name="联户.csv",
        paired_on=DAY,
        actor=bob,
    )
    assert stored == 2
    assert Pairing.objects.get().household.address == "1号楼101"


def test_a_bad_list_names_file_row_and_column_and_stores_nothing(bob, district):
    member_create(name="王红", community=district["community"], actor=bob)
    text = "地址,户主,联户党员\n1号楼101,李明,王红\n1号楼101,张三,王红\n1号楼103,,赵六\n"
    with pytest.raises(ValidationError) as error:
        households_import(
            community=district["community"],
            file=_csv(text),
            name="联户.csv",
            paired_on=DAY,
            actor=bob,
        )
    messages = " ".join(error.value.messages)
    assert "联户.csv 第 3 行" in messages
    assert "联户.csv 第 4 行，“联户党员”列（“赵六”）" in messages
    assert Household.objects.count() == 0


def test_the_community_page_imports_a_list(client, bob, district):
    client.force_login(bob)
    upload = SimpleUploadedFile("联户.csv", "地址\n2号楼201\n".encode(), content_type="text/csv")
    response = client.post(
        reverse("liaison:community", args=[district["community"].pk]),
        {"file": upload, "import_paired_on": "2021-04-01"},
    )
    assert response.status_code == 302
    assert Household.objects.get().address == "2号楼201"
