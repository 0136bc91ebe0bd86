"""Evidence files are served only to staff who may see ledger items, as what
they are (never sniffed) and with nothing in them allowed to run."""

import pytest
from django.urls import reverse

from shishi.ledger.models import Evidence
from shishi.ledger.services import progress_report_submit

from .helpers import PDF, PNG, pdf, png

pytestmark = pytest.mark.django_db


@pytest.fixture
def photo(claimed_item, carol):
    progress_report_submit(item=claimed_item, actor=carol, percent=10, files=[png("site.png")])
    return Evidence.objects.get()


def _url(evidence) -> str:
    return reverse("dispatch:evidence", args=[evidence.pk])


@pytest.mark.parametrize("who", ["bob", "carol", "hank", "dave", "erin"])
def test_staff_who_may_view_items_get_the_file(client, request, who, photo):
    client.force_login(request.getfixturevalue(who))
    response = client.get(_url(photo))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="site.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'"


def test_a_chinese_file_name_is_written_the_rfc_5987_way(client, claimed_item, carol, erin):
    progress_report_submit(item=claimed_item, actor=carol, percent=10, files=[pdf("验收 报告.pdf")])
    client.force_login(erin)
    response = client.get(_url(Evidence.objects.get()))
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"]
        == "inline; filename*=utf-8''%E9%AA%8C%E6%94%B6%20%E6%8A%A5%E5%91%8A.pdf"
    )
    assert b"".join(response.streaming_content) == PDF


def test_residents_get_not_found(client, alice, photo):
    client.force_login(alice)
    assert client.get(_url(photo)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, photo):
    response = client.get(_url(photo))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_an_unknown_or_missing_file_is_not_found(client, erin, photo):
    client.force_login(erin)
    assert client.get(reverse("dispatch:evidence", args=[photo.pk + 1])).status_code == 404
    photo.file.storage.delete(photo.file.name)
    assert client.get(_url(photo)).status_code == 404
