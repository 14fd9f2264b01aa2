"""The servers a scaled deployment shares, started once per test run, and gateways that share them:
each gateway is a separate app (its own event loop, hub and limiters) served by uvicorn on its
own port, so what one worker knows reaches another only through Redis or PostgreSQL."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn

from api.main import create_app
from api.settings import Settings
from api.upstream import RasaGateway
from api.wiring import conversation
from devstack.services import PostgresServer, RedisServer, free_port
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import RasaHandler, closed_port_url


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    server = PostgresServer()
    server.start()
    yield server
    server.stop()
    server.remove()


@pytest.fixture
def redis_url(redis_server: RedisServer) -> Iterator[str]:
    """The shared Redis, running and empty; restarted after a test that stopped it."""
    redis_server.flush()
    yield redis_server.url
    redis_server.stop()
    redis_server.start()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """An empty database of each kind the store supports."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path}/rop.db"
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()


class Gateway:
    """One gateway worker on its own port, with its own event loop in a thread; Rasa and the
    action server answer through `rasa` (an in-process stand-in) or are down."""

    def __init__(self, settings: Settings, engine: KnowledgePipeline, rasa: RasaHandler | None) -> None:
        self.url = f"http://127.0.0.1:{free_port()}"
        app = create_app(settings, engine=engine)
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=int(self.url.rsplit(":", 1)[1]),
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 120
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start")
            time.sleep(0.05)
        if rasa is not None:
            client = httpx.AsyncClient(transport=httpx.MockTransport(rasa))
            state = app.state
            state.gateway = RasaGateway(client, settings.rasa_url, settings.rasa_token, settings.actions_url)
            state.conversation = conversation(state)
        self.http = httpx.Client(base_url=self.url, timeout=10)

    def stop(self) -> None:
        self.http.close()
        self._server.should_exit = True
        self._thread.join(30)


GatewayFactory = Callable[..., Gateway]


@pytest.fixture
def gateways(engine: KnowledgePipeline, tmp_path: Path) -> Iterator[GatewayFactory]:
    """Starts gateways with the given settings (SQLite in `tmp_path` unless a database is given)."""
    started: list[Gateway] = []

    def start(rasa: RasaHandler | None = None, **values: Any) -> Gateway:
        values.setdefault("database_url", f"sqlite:///{tmp_path}/rop.db")
        settings = Settings(rasa_url=closed_port_url(), actions_url=closed_port_url(), environment="test", **values)
        started.append(Gateway(settings, engine, rasa))
        return started[-1]

    yield start
    for gateway in started:
        gateway.stop()
