"""Several Rasa replicas behind one gateway: turns are spread over them, a replica that refuses
connections costs no turn, a turn that may have run is never sent twice, and /health names the
replica that does not answer."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.replicas import Replicas, split_urls
from api.settings import Settings
from api.upstream import RasaGateway, UpstreamUnavailable
from api.wiring import conversation
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import chat, healthy_rasa

A, B = "http://rasa-a:5005", "http://rasa-b:5005"
REPLY = [{"text": "Hei! Hva lurer du på?"}]


Handler = Callable[[httpx.Request], httpx.Response]


def replicas_answering(failures: dict[str, Exception], turns_only: bool = True) -> tuple[Counter[str], Handler]:
    """Rasa replicas that answer every request, except that those in `failures` raise their error
    on turns (or, not `turns_only`, on status probes too); counts the turns each replica received."""
    turns: Counter[str] = Counter()
    healthy = healthy_rasa(REPLY)

    def handler(request: httpx.Request) -> httpx.Response:
        origin = f"{request.url.scheme}://{request.url.host}:{request.url.port}"
        if request.url.path == "/webhooks/rest/webhook":
            turns[origin] += 1
        if origin in failures and (request.url.path == "/webhooks/rest/webhook" or not turns_only):
            raise failures[origin]
        return healthy(request)

    return turns, handler


def gateway(handler: Handler) -> RasaGateway:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return RasaGateway(client, f"{A}, {B}/", "token", "http://actions:5055")


def send_turns(rasa: RasaGateway, count: int) -> list[str]:
    """Send `count` turns; each turn's outcome ("ok" or the error's class name)."""

    async def run() -> list[str]:
        outcomes = []
        for i in range(count):
            try:
                await rasa.send(f"w{i}", "hei")
                outcomes.append("ok")
            except UpstreamUnavailable as error:
                outcomes.append(type(error).__name__)
        return outcomes

    return asyncio.run(run())


def test_rasa_url_lists_replicas_comma_separated_and_refuses_an_empty_list() -> None:
    assert split_urls(" http://a:5005/ ,http://b:5006") == ["http://a:5005", "http://b:5006"]
    with pytest.raises(ValueError, match="RASA_URL"):
        split_urls(" , ")


def test_turns_are_spread_evenly_over_the_replicas() -> None:
    turns, handler = replicas_answering({})
    assert send_turns(gateway(handler), 6) == ["ok"] * 6
    assert turns == {A: 3, B: 3}


def test_a_replica_that_refuses_connections_costs_no_turn_and_is_passed_over() -> None:
    turns, handler = replicas_answering({A: httpx.ConnectError("connection refused")})
    assert send_turns(gateway(handler), 6) == ["ok"] * 6
    assert turns == {A: 1, B: 6}  # tried once, then left alone for DOWN_SECONDS


def test_a_turn_cut_off_after_it_was_sent_is_a_503_and_never_sent_to_a_second_replica() -> None:
    turns, handler = replicas_answering({A: httpx.ReadError("server disconnected"), B: httpx.ReadError("gone")})
    assert send_turns(gateway(handler), 1) == ["UpstreamUnavailable"]
    assert sum(turns.values()) == 1  # a turn that may have run is not run twice


def test_no_replica_taking_connections_is_a_503() -> None:
    refused = httpx.ConnectError("connection refused")
    _, handler = replicas_answering({A: refused, B: refused})
    assert send_turns(gateway(handler), 1) == ["UpstreamUnavailable"]


def test_a_replica_passed_over_comes_back_when_it_answers_again() -> None:
    replicas = Replicas(f"{A},{B}")
    replicas.down(A)
    assert [replicas.order()[0] for _ in range(4)] == [B, B, B, B]
    replicas.up(A)
    assert {replicas.order()[0] for _ in range(4)} == {A, B}


def test_health_names_the_replica_that_does_not_answer_and_stays_ready_on_the_other(
    settings: Settings, engine: KnowledgePipeline
) -> None:
    turns, handler = replicas_answering({B: httpx.ConnectError("connection refused")}, turns_only=False)
    app = create_app(settings, engine=engine)
    with TestClient(app) as client:
        app.state.gateway = gateway(handler)
        app.state.conversation = conversation(app.state)
        health = client.get("/health")
        assert health.status_code == 200
        assert health.json()["components"]["rasa"] == "ok"
        assert health.json()["components"]["rasa_replicas"] == f"1 av 2 svarer; {B}: Rasa svarer ikke"
        assert [chat(client, "hei").status_code for _ in range(3)] == [200] * 3
        assert turns == {A: 3}  # the probe found B down: no turn waits on it
