"""Checks for uploaded files: size, and that the first bytes match the file's
extension (a renamed executable is not a photo). Stored files live outside the
web root and are served only through views that check permissions."""

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

# Extension → the byte strings a real file of that kind starts with.
IMAGE_SIGNATURES = {
    "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",),
    "png": (b"\x89PNG\r\n\x1a\n",),
    "gif": (b"GIF87a", b"GIF89a"),
    "webp": (b"RIFF",),
}
PDF_SIGNATURES = {"pdf": (b"%PDF-",)}


def _looks_like(head: bytes, suffix: str, signatures: tuple[bytes, ...]) -> bool:
    if not head.startswith(signatures):
        return False
    # RIFF is a container; a WebP says so at byte 8.
    return suffix != "webp" or head[8:12] == b"WEBP"


def check_upload(
    upload: UploadedFile,
    *,
    field: str,
    signatures: dict[str, tuple[bytes, ...]],
    max_bytes: int,
    wrong_kind: str,
) -> None:
    """Raise a ValidationError on `field` unless the file is small enough and
    really is one of the kinds in `signatures`. `wrong_kind` is the message
    (with %(name)s) for a file of another kind."""
    name = upload.name or ""
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("“%(name)s” is larger than %(max)d MB.")
                % {"name": name, "max": max_bytes // (1024 * 1024)}
            }
        )
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix not in signatures:
        raise ValidationError({field: wrong_kind % {"name": name}})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not _looks_like(head, suffix, signatures[suffix]):
        raise ValidationError(
            {
                field: _("“%(name)s” is not really a %(kind)s file.")
                % {"name": name, "kind": suffix.upper()}
            }
        )


# What a stored file is served as, by its (checked) extension.
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "gif": "image/gif",
    "webp": "image/webp",
    "pdf": "application/pdf",
}


def private_file_response(stored: FieldFile, original_name: str) -> FileResponse:
    """Serve a stored upload to someone already allowed to see it: inline with the
    type of its checked extension (anything else as a download), never sniffed,
    not cached by shared caches, and under a policy that lets nothing in it run.
    A file missing on disk is a 404, not a 500."""
    try:
        handle = stored.storage.open(stored.name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    suffix = stored.name.rsplit(".", 1)[-1].lower()
    content_type = CONTENT_TYPES.get(suffix)
    # Control characters in a name must not reach a header; Django writes a
    # non-ASCII name as RFC 5987 filename*=utf-8''….
    name = "".join(c if c.isprintable() else "_" for c in original_name) or "file"
    response = FileResponse(
        handle,
        content_type=content_type or "application/octet-stream",
        as_attachment=content_type is None,
        filename=name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    response["Cache-Control"] = "private"
    return response
