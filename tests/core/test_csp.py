"""Issue 18: HTML pages sent no Content-Security-Policy. Now every response
has one that allows scripts and styles from the site only, and no page
template relies on inline code. (Report documents carry their own <style>:
they are downloads, opened offline, never pages of the site.)"""

import re
from pathlib import Path

import pytest

import shishi

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def test_pages_send_a_strict_policy(client):
    response = client.get("/track/")
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    # No inline script on the page: every <script> has a src.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", response.text)


def test_the_api_docs_load_their_script_from_a_file(administrator_client):
    page = administrator_client.get("/api/docs/")
    assert page.status_code == 200
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text)
    assert "'unsafe-inline'" not in _policy(page)["script-src"]
    script = administrator_client.get("/api/docs/?script=")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text


def test_no_template_has_inline_scripts_or_event_handlers():
    root = Path(shishi.__file__).parent
    offenders = []
    for path in root.glob("*/templates/**/*.html"):
        if "document" in path.name or path.name == "redoc.html":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text) or re.search(
            r"\son[a-z]+\s*=\s*[\"']", text
        ):
            offenders.append(str(path.relative_to(root)))
    assert offenders == []
