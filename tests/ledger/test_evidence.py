"""Evidence files: photos and PDFs only, checked by content, stored outside the web root."""

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from shishi.ledger.models import Evidence, ItemStatus, ProgressReport
from shishi.ledger.services import item_settle, item_submit_for_verification, progress_report_submit

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%fake but well-started\n"


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def test_a_report_keeps_its_photo(claimed_item, carol):
    report = progress_report_submit(
        item=claimed_item, actor=carol, percent=50, files=[SimpleUploadedFile("现场照片.png", PNG)]
    )
    evidence = report.evidence.get()
    assert evidence.original_name == "现场照片.png" and evidence.size == len(PNG)
    assert str(settings.MEDIA_ROOT) in evidence.file.path
    assert "现场照片" not in evidence.file.name  # stored under our own name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("malware.exe", b"MZ\x90\x00"),
        ("photo.png", b"<script>alert(1)</script>"),
        ("report.pdf", PNG),
        ("noext", PDF),
    ],
)
def test_a_file_that_is_not_a_photo_or_pdf_is_refused(claimed_item, carol, name, content):
    with pytest.raises(ValidationError) as err:
        progress_report_submit(
            item=claimed_item, actor=carol, percent=50, files=[SimpleUploadedFile(name, content)]
        )
    assert "evidence" in err.value.message_dict
    assert not ProgressReport.objects.exists() and not Evidence.objects.exists()


def test_settlement_evidence_can_be_a_file_alone(claimed_item, carol, dave, erin):
    progress_report_submit(item=claimed_item, actor=carol, percent=100, actuals={"新增学位": 6360})
    item = item_submit_for_verification(item=claimed_item, actor=dave)
    item = item_settle(item=item, actor=erin, files=[SimpleUploadedFile("验收报告.pdf", PDF)])
    assert item.status == ItemStatus.SETTLED
    assert item.evidence.get().purpose == "settlement"
