"""Gateway fixtures: the real app with the real engine; Rasa replaced only where a test says so."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.upstream import RasaGateway
from api.wiring import conversation
from knowledge.pipeline import KnowledgePipeline


def closed_port_url() -> str:
    """A loopback URL nothing listens on, so connections are refused as when a service is down."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(
        rasa_url=closed_port_url(),
        actions_url=closed_port_url(),
        environment="test",
        database_url=f"sqlite:///{tmp_path}/rop.db",
        tracker_store_db=str(tmp_path / "rasa-tracker.db"),
    )


@pytest.fixture
def client(settings: Settings, engine: KnowledgePipeline) -> Iterator[TestClient]:
    """The app with Rasa and actions down (nothing listens on their ports)."""
    with TestClient(create_app(settings, engine=engine)) as test_client:
        yield test_client


RasaHandler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture
def client_with_rasa(settings: Settings, engine: KnowledgePipeline) -> Callable[[RasaHandler], TestClient]:
    """The app whose Rasa and action server answer through `handler` (an in-process stand-in)."""
    clients: list[TestClient] = []

    def make(handler: RasaHandler) -> TestClient:
        app = create_app(settings, engine=engine)
        test_client = TestClient(app)
        test_client.__enter__()
        clients.append(test_client)
        transport = httpx.MockTransport(handler)
        app.state.gateway = RasaGateway(
            httpx.AsyncClient(transport=transport), settings.rasa_url, settings.rasa_token, settings.actions_url
        )
        app.state.conversation = conversation(app.state)
        return test_client

    yield make  # type: ignore[misc]
    for test_client in clients:
        test_client.__exit__(None, None, None)


def healthy_rasa(replies: list[dict]) -> RasaHandler:
    """A stand-in for Rasa and the action server that answers every turn with `replies`."""

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/status":
            return httpx.Response(200, json={"model_file": "rop-veiviser.tar.gz"})
        if request.url.path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        return httpx.Response(200, json=replies)

    return handler


def recording_rasa(replies: list[dict]) -> tuple[list[dict], RasaHandler]:
    """`healthy_rasa`, keeping the body of every message the gateway sends to the webhook."""
    seen: list[dict] = []
    healthy = healthy_rasa(replies)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            seen.append(json.loads(request.content))
        return healthy(request)

    return seen, handler


def conversation_headers(client: TestClient, label: str = "w1") -> dict[str, str]:
    """The Authorization header of the conversation a test calls `label`, started on first use."""
    started: dict[str, dict[str, str]] = client.__dict__.setdefault("conversations", {})
    if label not in started:
        response = client.post("/api/conversations")
        assert response.status_code == 201, response.text
        started[label] = {"Authorization": f"Bearer {response.json()['token']}"}
    return started[label]


def conversation_id(client: TestClient, label: str = "w1") -> str:
    """The gateway-issued id of the conversation `label` (the sender in Rasa and in cases)."""
    token = conversation_headers(client, label)["Authorization"].removeprefix("Bearer ")
    return token.split(".")[1]


def chat(client: TestClient, message: Any, label: str = "w1") -> httpx.Response:
    """One chat turn in the conversation `label`."""
    return client.post("/api/chat", json={"message": message}, headers=conversation_headers(client, label))
