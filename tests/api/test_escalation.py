"""Hand-off through the gateway: a case with the masked conversation, the bot paused, the
advisor's reply delivered, the bot back after closing; Rasa is a recording stand-in here (the
real stack is tested in tests/e2e)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest
from fastapi.testclient import TestClient

from api.escalation import Escalation
from contract.payloads import intent_of, is_payload
from tests.api.conftest import chat, conversation_headers

HANDOFF = [
    {"recipient_id": "w", "text": "Jeg setter deg over til en rådgiver."},
    {"recipient_id": "w", "custom": {"handoff": "asked"}},
]
FNR = "15076500565"


class RecordingRasa:
    """Answers like Rasa: a hand-off for /request_advisor, an answer otherwise; keeps what it got."""

    def __init__(self) -> None:
        self.received: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path == "/status":
            return httpx.Response(200, json={"model_file": "m.tar.gz"})
        if path == "/health":
            return httpx.Response(200, json={"status": "ok"})
        if path.endswith("/tracker"):
            events = [{"event": "user", "text": t} for t in self.received]
            return httpx.Response(200, json={"events": events + [{"event": "bot", "text": "Svar fra boten"}]})
        text = json.loads(request.content)["message"]
        self.received.append(text)
        if is_payload(text) and intent_of(text) == "request_advisor":  # with the gateway's language entity
            return httpx.Response(200, json=HANDOFF)
        return httpx.Response(200, json=[{"recipient_id": "w", "text": "Svar fra boten"}])


@pytest.fixture
def rasa() -> RecordingRasa:
    return RecordingRasa()


@pytest.fixture
def client(client_with_rasa: Callable[..., TestClient], rasa: RecordingRasa) -> TestClient:
    return client_with_rasa(rasa)


@pytest.fixture
def token(client: TestClient) -> dict[str, str]:
    _, api_token = client.app.state.advisors.add("kari")  # type: ignore[attr-defined]
    return {"Authorization": f"Bearer {api_token}"}


def _always_open(client: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    state.escalation = Escalation(state.cases, state.hub, state.settings.opening_hours(), clock=_weekday_morning)
    state.conversation._escalation = state.escalation


def _weekday_morning() -> datetime:
    return datetime(2026, 11, 24, 9, 0, tzinfo=UTC)  # Tuesday 10:00 in Oslo


def _saturday() -> datetime:
    return datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def _say(client: TestClient, text: str, sender: str = "w") -> list[dict]:
    response = chat(client, text, sender)
    assert response.status_code == 200, response.text
    return response.json()["messages"]


def test_personal_data_never_reaches_rasa(client: TestClient, rasa: RecordingRasa) -> None:
    _say(client, f"Per Hansen ({FNR}, tlf 41234567, per@example.no) har IP, hvem følger opp?")
    [sent] = rasa.received
    assert FNR not in sent and "41234567" not in sent and "per@example.no" not in sent and "Hansen" not in sent
    assert "[fødselsnummer]" in sent and "har IP" in sent


def test_asking_for_an_advisor_opens_a_case_with_the_masked_conversation(
    client: TestClient, token: dict[str, str]
) -> None:
    _always_open(client)
    _say(client, f"Bruker med fnr {FNR} trenger bolig")
    replies = _say(client, "/request_advisor")
    assert "Saken din (nr. 1) er sendt til en rådgiver" in replies[-1]["text"]
    [case] = client.get("/api/advisor/cases", headers=token).json()
    assert set(case) >= {"id", "sender", "status", "created_at", "messages"} and case["status"] == "waiting"
    assert [m["role"] for m in case["messages"]] == ["worker", "worker", "bot"]
    assert all(set(m) >= {"role", "text", "at"} for m in case["messages"])
    assert FNR not in str(case) and "[fødselsnummer]" in case["messages"][0]["text"]


def test_the_bot_is_paused_while_the_case_is_open_and_back_after_closing(
    client: TestClient, rasa: RecordingRasa, token: dict[str, str]
) -> None:
    _always_open(client)
    _say(client, "/request_advisor")
    sent_before = len(rasa.received)
    assert "svarer snart" in _say(client, "Hallo, er det noen der?")[0]["text"]
    assert len(rasa.received) == sent_before  # the bot did not hear it
    case_id = client.get("/api/advisor/cases", headers=token).json()[0]["id"]
    reply = client.post(
        f"/api/advisor/cases/{case_id}/messages", json={"text": "Hei, jeg ser på saken."}, headers=token
    )
    assert reply.status_code == 200
    assert _say(client, "Takk!") == []  # a live conversation: no bot acknowledgement
    missed = client.get("/api/chat/messages", headers=conversation_headers(client, "w")).json()
    assert [m["text"] for m in missed] == ["Hei, jeg ser på saken."]
    assert client.post(f"/api/advisor/cases/{case_id}/close", headers=token).json()["status"] == "closed"
    later = client.get(
        "/api/chat/messages", params={"after": missed[0]["id"]}, headers=conversation_headers(client, "w")
    )
    assert "avsluttet saken" in later.json()[0]["text"]
    assert _say(client, "hvem har ansvar for IP?")[0]["text"] == "Svar fra boten"
    assert client.post(f"/api/advisor/cases/{case_id}/messages", json={"text": "x"}, headers=token).status_code == 409


def test_outside_opening_hours_the_worker_is_told_when_someone_answers(client: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    state.escalation = Escalation(state.cases, state.hub, state.settings.opening_hours(), clock=_saturday)
    state.conversation._escalation = state.escalation
    text = _say(client, "/request_advisor")[-1]["text"]
    assert "mandag kl. 08:00" in text and "mandag–fredag kl. 08:00–15:30" in text and "113" in text
    assert "mandag kl. 08:00" in _say(client, "Kan noen ringe meg på mandag?")[0]["text"]


def test_an_emergency_during_a_case_is_answered_at_once_and_added_to_the_case(
    client: TestClient, token: dict[str, str]
) -> None:
    _always_open(client)
    _say(client, "/request_advisor")
    replies = _say(client, "Han har tatt en overdose og puster ikke")
    assert "113" in replies[0]["text"]
    case = client.get("/api/advisor/cases", headers=token).json()[0]
    assert case["messages"][-1]["text"] == "Han har tatt en overdose og puster ikke"


def test_an_advisor_can_be_reached_when_rasa_is_down(client_with_rasa: Callable[..., TestClient]) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    client = client_with_rasa(down)
    replies = _say(client, "/request_advisor")
    assert "Saken din (nr. 1)" in replies[0]["text"]


def test_a_sender_who_floods_the_chat_is_asked_to_wait(client: TestClient) -> None:
    for _ in range(20):
        _say(client, "hei", sender="rask")
    response = chat(client, "hei", "rask")
    assert response.status_code == 429 and "Vent litt" in response.json()["detail"]
    assert int(response.headers["Retry-After"]) >= 1
    assert chat(client, "hei", "andre").status_code == 200
