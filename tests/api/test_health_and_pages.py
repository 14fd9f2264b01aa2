"""Health names what is not ready; the chat page and the API docs are served."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import DEV_TOKEN, Settings
from tests.api.conftest import healthy_rasa


def test_health_is_503_and_names_rasa_and_actions_when_they_are_down(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 503
    components = response.json()["components"]
    assert components["index"] == "ok"
    assert components["rasa"] != "ok" and components["actions"] != "ok"


def test_health_is_200_when_everything_is_ready(client_with_rasa: Callable[..., TestClient]) -> None:
    response = client_with_rasa(healthy_rasa([])).get("/health")
    assert response.status_code == 200
    components = {"rasa": "ok", "actions": "ok", "index": "ok", "semantic": "ok", "database": "ok"}
    assert response.json() == {"status": "ok", "components": components}


def test_health_reports_a_missing_index(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with TestClient(
        create_app(Settings(index_dir=tmp_path, environment="test", database_url=f"sqlite:///{tmp_path}/rop.db"))
    ) as client:
        components = client.get("/health").json()["components"]
    assert "make index" in components["index"]


def test_chat_page_is_served_in_norwegian(client: TestClient) -> None:
    response = client.get("/")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert 'lang="nb"' in response.text and '<script src="/widget.js" defer></script>' in response.text
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and widget.headers["content-type"].startswith("text/javascript")
    assert "deep-chat" in widget.text
    assert widget.headers["content-encoding"] == "gzip"  # TestClient asks for gzip, as browsers do


def test_openapi_docs_list_the_public_contract(client: TestClient) -> None:
    assert client.get("/docs").status_code == 200
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/health", "/api/chat", "/api/ask"} <= set(paths)


def test_production_refuses_the_development_rasa_token_and_secret_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ValueError, match="RASA_TOKEN"):
        Settings(environment="production", rasa_token=DEV_TOKEN, secret_key="s" * 40)
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(_env_file=None, environment="production", rasa_token="x" * 32)  # type: ignore[call-arg]
    assert Settings(environment="production", rasa_token="x" * 32, secret_key="s" * 40).rasa_token == "x" * 32


def test_health_names_an_encoder_that_cannot_be_loaded(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(
        encoder=str(tmp_path / "no-such-model"), environment="test", database_url=f"sqlite:///{tmp_path}/rop.db"
    )
    with TestClient(create_app(settings)) as client:
        body = client.get("/health").json()
    assert body["status"] == "unavailable"
    assert "språkmodellen" in body["components"]["index"]
