"""Helpers of the work pages' tests: real file signatures, and time passing."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from shishi.ledger.models import LedgerItem

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%a small but well-started PDF\n"


def png(name="现场照片.png"):
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def pdf(name="验收报告.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def make_overdue(item: LedgerItem, days: int = 1) -> LedgerItem:
    # The services refuse a deadline in the past (rightly); time passing is what
    # makes an item overdue.
    LedgerItem.objects.filter(pk=item.pk).update(deadline=timezone.now() - dt.timedelta(days=days))
    item.refresh_from_db()
    return item
