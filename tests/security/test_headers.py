"""Issue 14 §7: the pages send a strict Content-Security-Policy, framing only by the configured
sites, no MIME sniffing and no referrer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import closed_port_url


@pytest.fixture
def embedded(tmp_path: Path, engine: KnowledgePipeline) -> Iterator[TestClient]:
    """The gateway configured for an intranet that embeds the widget."""
    settings = Settings(
        rasa_url=closed_port_url(),
        actions_url=closed_port_url(),
        environment="test",
        database_url=f"sqlite:///{tmp_path}/rop.db",
        cors_origins=["https://intranett.kommune.no"],
    )
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


@pytest.mark.parametrize("path", ["/", "/advisor", "/widget.js", "/static/advisor.js", "/health", "/api/finnes-ikke"])
def test_every_page_sends_csp_nosniff_and_no_referrer(embedded: TestClient, path: str) -> None:
    response = embedded.get(path)
    policy = response.headers["content-security-policy"]
    assert "script-src 'self';" in policy and "object-src 'none'" in policy and "base-uri 'none'" in policy
    assert policy.endswith("frame-ancestors 'self' https://intranett.kommune.no")
    assert "unsafe-eval" not in policy and "script-src 'self' 'unsafe-inline'" not in policy
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_pages_have_no_inline_script_the_policy_would_block(embedded: TestClient) -> None:
    for path in ("/", "/advisor"):
        html = embedded.get(path).text
        assert "<script>" not in html and " on" + "click=" not in html


def test_without_configured_sites_only_the_gateway_may_frame_its_pages(client: TestClient) -> None:
    assert client.get("/").headers["content-security-policy"].endswith("frame-ancestors 'self'")
