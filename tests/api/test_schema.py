"""The OpenAPI schema and the interactive docs: every endpoint is described,
and the docs pages load nothing from outside the site."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    return response.json()


def _api_paths() -> set[str]:
    """Every route under /api/ except the schema and docs, in OpenAPI's spelling."""
    (api,) = [p for p in get_resolver().url_patterns if getattr(p, "namespace", "") == "api"]
    paths = set()
    for pattern in api.url_patterns:
        assert isinstance(pattern, URLPattern) and not isinstance(pattern, URLResolver)
        route = str(pattern.pattern)
        if pattern.name in ("schema", "docs", "redoc", "not_found"):
            continue
        route = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route).replace("{pk}", "{id}")
        paths.add(f"/api/{route}")
    return paths


def test_the_schema_describes_every_endpoint_and_no_other(schema):
    assert schema["openapi"].startswith("3.")
    assert set(schema["paths"]) == _api_paths()


def test_every_operation_documents_its_errors_and_the_token(schema):
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "429"} <= codes, (method, path)
            if method == "post":
                assert "400" in codes, (method, path)
            assert {"tokenAuth": []} in operation["security"], (method, path)


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_docs_load_only_the_site_s_own_files(client, url):
    response = client.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert "drf_spectacular_sidecar" in html
    assert not re.search(r"""(?:src|href)=["'](?:https?:)?//""", html), html
    assert "cdn" not in html.lower()
