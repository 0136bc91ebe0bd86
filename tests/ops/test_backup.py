"""`shishi backup` and `shishi restore`: a round trip brings back the rows
(with their history) and the uploaded files; on SQLite always, on PostgreSQL
when the tests run there."""

import tarfile

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from shishi.intake.models import Appeal
from shishi.intake.services import appeal_submit

# serialized_rollback: the tables are emptied afterwards; this puts back what the
# migrations made (role groups…) for the transactional tests that follow.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    photo = settings.MEDIA_ROOT / "evidence" / "现场照片.jpg"
    photo.write_bytes(b"\xff\xd8 a photo")
    return photo


def _appeal(title):
    return appeal_submit(title=title, channel="hotline", received_at=timezone.now())


def test_a_backup_round_trip_restores_rows_history_and_uploads(uploads, tmp_path, capsys):
    kept = _appeal("建设路路灯不亮")
    history = kept.history.count()
    archive = tmp_path / "backup.tar"
    call_command("backup", "-o", str(archive))
    assert "1 uploaded files" in capsys.readouterr().out
    with tarfile.open(archive) as tar:
        names = tar.getnames()
    assert "manifest.json" in names and "uploads/evidence/现场照片.jpg" in names

    # Life goes on after the backup…
    _appeal("之后的诉求")
    uploads.unlink()
    (uploads.parent / "later.pdf").write_bytes(b"%PDF later")

    call_command("restore", str(archive), "--yes")
    assert list(Appeal.objects.values_list("title", flat=True)) == ["建设路路灯不亮"]
    assert Appeal.objects.get().history.count() == history
    assert uploads.read_bytes() == b"\xff\xd8 a photo"
    assert not (uploads.parent / "later.pdf").exists()


def test_restore_asks_for_confirmation_and_refuses_what_is_no_backup(uploads, tmp_path):
    _appeal("留着")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(tmp_path / "x.tar"))
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar file at all")
    with pytest.raises(CommandError, match="not a Shishi backup"):
        call_command("restore", str(junk), "--yes")
    evil = tmp_path / "evil.tar"
    with tarfile.open(evil, "w") as tar:
        source = tmp_path / "payload"
        source.write_text("x")
        tar.add(source, arcname="../../escape")
    with pytest.raises(CommandError, match="unsafe entry"):
        call_command("restore", str(evil), "--yes")
    assert Appeal.objects.count() == 1
