"""Two gateway workers sharing a real Redis and PostgreSQL behave as one gateway: an advisor's
reply sent through one reaches a widget listening on the other, limits count the hits on both,
and a Redis or PostgreSQL outage is survived, named in /health, and nothing an advisor wrote is lost."""

from __future__ import annotations

import json
import queue
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from devstack.services import PostgresServer, RedisServer
from store.advisors import AdvisorStore
from store.cases import CaseStore
from store.database import make_engine, session_factory
from tests.api.conftest import closed_port_url, healthy_rasa
from tests.scale.conftest import Gateway, GatewayFactory

BOT_REPLY = [{"text": "Hei! Hva lurer du på?"}]


class EventStream:
    """An SSE stream read in a thread: its events in order, and whether the server ended it."""

    def __init__(self, gateway: Gateway, path: str, headers: dict[str, str]) -> None:
        self.lines: queue.Queue[str | None] = queue.Queue()
        self._client = httpx.Client(base_url=gateway.url, timeout=httpx.Timeout(10, read=60))
        self._response = self._client.send(self._client.build_request("GET", path, headers=headers), stream=True)
        threading.Thread(target=self._read, daemon=True).start()
        self.first = self.lines.get(timeout=10)

    def _read(self) -> None:
        try:
            for line in self._response.iter_lines():
                self.lines.put(line)
        except httpx.HTTPError:
            pass
        self.lines.put(None)

    def next_event(self, seconds: float = 10) -> dict[str, Any] | None:
        """The next event's data, or None when the stream ended."""
        deadline = time.monotonic() + seconds
        while (line := self.lines.get(timeout=max(0.01, deadline - time.monotonic()))) is not None:
            if line.startswith("data: "):
                data: dict[str, Any] = json.loads(line.removeprefix("data: "))
                return data
        return None

    def close(self) -> None:
        self._response.close()
        self._client.close()


@pytest.fixture
def streams() -> Iterator[Callable[[Gateway, str, dict[str, str]], EventStream]]:
    opened: list[EventStream] = []

    def open_stream(gateway: Gateway, path: str, headers: dict[str, str]) -> EventStream:
        opened.append(EventStream(gateway, path, headers))
        return opened[-1]

    yield open_stream
    for stream in opened:
        stream.close()


def conversation(gateway: Gateway) -> tuple[dict[str, str], str]:
    """A new web conversation's Authorization header and its id (the case's sender)."""
    response = gateway.http.post("/api/conversations")
    assert response.status_code == 201, response.text
    body = response.json()
    return {"Authorization": f"Bearer {body['token']}"}, body["conversation_id"]


def case_for(database_url: str, sender: str) -> tuple[int, dict[str, str]]:
    """A waiting case of the sender, and an advisor's Authorization header."""
    engine = make_engine(database_url)
    sessions = session_factory(engine)
    _, token = AdvisorStore(sessions).add(f"kari-{sender[:8]}")
    case, _ = CaseStore(sessions).open(sender, "web", "asked", [("worker", "Kan jeg få snakke med noen?")])
    engine.dispose()
    return case.id, {"Authorization": f"Bearer {token}"}


def reply(gateway: Gateway, case_id: int, advisor: dict[str, str], text: str) -> None:
    assert gateway.http.post(f"/api/advisor/cases/{case_id}/take", headers=advisor).status_code == 200
    response = gateway.http.post(f"/api/advisor/cases/{case_id}/messages", json={"text": text}, headers=advisor)
    assert response.status_code == 200, response.text


def health_until(gateway: Gateway, component: str, wanted: Callable[[str], bool], seconds: float = 45) -> str:
    """Poll /health until the component's state is as wanted; returns that state."""
    deadline = time.monotonic() + seconds
    while True:
        state: str = gateway.http.get("/health").json()["components"].get(component, "")
        if wanted(state) or time.monotonic() > deadline:
            return state
        time.sleep(0.2)


def test_advisor_reply_through_one_gateway_reaches_the_widget_stream_on_another(
    gateways: GatewayFactory, redis_url: str, postgres_server: PostgresServer, streams: Callable[..., EventStream]
) -> None:
    database_url = postgres_server.new_database()
    a, b = (gateways(database_url=database_url, redis_url=redis_url) for _ in range(2))
    worker, sender = conversation(b)
    case_id, advisor = case_for(database_url, sender)
    widget = streams(b, "/api/chat/events", worker)
    console = streams(b, "/api/advisor/events", advisor)
    reply(a, case_id, advisor, "Ring NAV-kontoret i morgen, så ser vi på det sammen.")
    event = widget.next_event()
    assert event is not None and event["type"] == "advisor"
    assert event["message"]["text"] == "Ring NAV-kontoret i morgen, så ser vi på det sammen."
    assert (console.next_event() or {}).get("type") == "case"  # the take, seen by the consoles on B
    assert a.http.post(f"/api/advisor/cases/{case_id}/close", headers=advisor).status_code == 200
    assert (widget.next_event() or {}).get("type") == "closed"


def test_without_redis_a_reply_through_one_gateway_misses_the_stream_on_another(
    gateways: GatewayFactory, postgres_server: PostgresServer, streams: Callable[..., EventStream]
) -> None:
    """The single-machine default keeps events in the process: why the scaled profile needs Redis."""
    database_url = postgres_server.new_database()
    a, b = (gateways(database_url=database_url) for _ in range(2))
    worker, sender = conversation(b)
    case_id, advisor = case_for(database_url, sender)
    widget = streams(b, "/api/chat/events", worker)
    reply(a, case_id, advisor, "Ring NAV-kontoret.")
    with pytest.raises(queue.Empty):
        widget.next_event(seconds=1.5)
    assert [m["text"] for m in b.http.get("/api/chat/messages", headers=worker).json()] == ["Ring NAV-kontoret."]


def test_chat_rate_limit_counts_the_turns_on_every_gateway(
    gateways: GatewayFactory, redis_url: str, postgres_server: PostgresServer
) -> None:
    database_url = postgres_server.new_database()
    a, b = (gateways(database_url=database_url, redis_url=redis_url, chat_messages_per_minute=4) for _ in range(2))
    worker, _ = conversation(a)
    codes = [g.http.post("/api/chat", json={"message": "hei"}, headers=worker).status_code for g in (a, b, a, b, a, b)]
    assert codes == [503, 503, 503, 503, 429, 429]  # Rasa is down; the 5th turn is over the limit on either
    refused = b.http.post("/api/chat", json={"message": "hei"}, headers=worker)
    assert 1 <= int(refused.headers["Retry-After"]) <= 60


def test_new_conversations_and_login_guesses_are_counted_on_every_gateway(
    gateways: GatewayFactory, redis_url: str, postgres_server: PostgresServer
) -> None:
    database_url = postgres_server.new_database()
    a, b = (gateways(database_url=database_url, redis_url=redis_url, conversations_per_minute=3) for _ in range(2))
    assert [g.http.post("/api/conversations").status_code for g in (a, b, a, b)] == [201, 201, 201, 429]
    engine = make_engine(database_url)
    password, _ = AdvisorStore(session_factory(engine)).add("kari")
    engine.dispose()
    guesses = [g.http.post("/api/advisor/login", json={"name": "kari", "password": "feil"}) for g in (a, b) * 3]
    assert [r.status_code for r in guesses] == [401] * 5 + [429]  # 5 failures per account, on both together
    assert a.http.post("/api/advisor/login", json={"name": "kari", "password": password}).status_code == 429


def test_redis_restarted_mid_run_ends_streams_keeps_turns_working_and_health_recovers(
    gateways: GatewayFactory,
    redis_server: RedisServer,
    redis_url: str,
    postgres_server: PostgresServer,
    streams: Callable[..., EventStream],
) -> None:
    database_url = postgres_server.new_database()
    a, b = (gateways(database_url=database_url, redis_url=redis_url, rasa=healthy_rasa(BOT_REPLY)) for _ in range(2))
    worker, sender = conversation(b)
    case_id, advisor = case_for(database_url, sender)
    widget = streams(b, "/api/chat/events", worker)
    redis_server.stop()
    assert widget.next_event() is None  # the stream ends, so the widget reconnects and catches up
    down = health_until(b, "redis", lambda state: state != "ok")
    assert down.startswith("Redis svarer ikke") and b.http.get("/health").status_code == 200
    other_worker, _ = conversation(a)  # `worker` has a case, so the bot would stay quiet
    chat = a.http.post("/api/chat", json={"message": "hei"}, headers=other_worker)
    assert chat.status_code == 200 and chat.json()["messages"][0]["text"] == BOT_REPLY[0]["text"]
    reply(a, case_id, advisor, "Skrevet mens forbindelsen var borte.")
    assert [m["text"] for m in b.http.get("/api/chat/messages", headers=worker).json()] == [
        "Skrevet mens forbindelsen var borte."
    ]
    redis_server.start()
    assert health_until(b, "redis", lambda state: state == "ok") == "ok"
    assert health_until(a, "redis", lambda state: state == "ok") == "ok"
    widget = streams(b, "/api/chat/events", worker)
    reply(a, case_id, advisor, "Og dette etter at forbindelsen kom tilbake.")
    assert (widget.next_event() or {}).get("message", {}).get("text") == "Og dette etter at forbindelsen kom tilbake."


def test_gateway_starts_without_redis_names_it_in_health_and_still_answers(
    gateways: GatewayFactory, streams: Callable[..., EventStream]
) -> None:
    gateway = gateways(redis_url=closed_port_url().replace("http", "redis"), rasa=healthy_rasa(BOT_REPLY))
    health = gateway.http.get("/health")
    assert health.status_code == 200 and health.json()["components"]["redis"].startswith("Redis svarer ikke")
    worker, _ = conversation(gateway)
    assert gateway.http.post("/api/chat", json={"message": "hei"}, headers=worker).status_code == 200
    widget = streams(gateway, "/api/chat/events", worker)
    assert widget.next_event() is None  # ends at once: the widget fetches /messages?after= and retries


def test_postgresql_down_at_start_is_named_in_health_and_migrated_when_it_returns(
    gateways: GatewayFactory, postgres_server: PostgresServer
) -> None:
    database_url = postgres_server.new_database()
    postgres_server.stop()
    try:
        gateway = gateways(database_url=database_url, rasa=healthy_rasa(BOT_REPLY))
        health = gateway.http.get("/health")
        assert health.status_code == 503 and health.json()["components"]["database"].startswith("databasen svarer ikke")
    finally:
        postgres_server.start()
    assert health_until(gateway, "database", lambda state: state == "ok") == "ok"
    worker, sender = conversation(gateway)
    case_id, advisor = case_for(database_url, sender)  # the schema is there: the gateway migrated it
    assert gateway.http.get(f"/api/advisor/cases/{case_id}", headers=advisor).status_code == 200
