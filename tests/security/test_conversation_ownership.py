"""Issue 14 §1: a conversation belongs to whoever started it. The gateway issues its id and a
signed token; nobody else can read its advisor replies, post into its case or use up its limit."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.identity import conversation_of, issue_conversation, teams_pseudonym
from api.settings import Settings
from api.teams.bot import Activity, sender_for
from tests.api.conftest import chat, conversation_headers, conversation_id, healthy_rasa

PHONE = "41234567"


def _case_with_advisor_reply(client: TestClient) -> int:
    """Conversation "owner" asks for an advisor (Rasa is down, so the gateway opens the case) and
    an advisor answers with a phone number in the text."""
    assert "Saken din" in chat(client, "/request_advisor", "owner").json()["messages"][0]["text"]
    state = client.app.state  # type: ignore[attr-defined]
    [case] = state.cases.list()
    state.cases.add_message(case.id, "advisor", f"Ring meg på {PHONE}")
    return int(case.id)


def _forged(client: TestClient, label: str) -> dict[str, str]:
    """The owner's conversation id with a signature the attacker made up."""
    return {"Authorization": f"Bearer cv1.{conversation_id(client, label)}.9999999999.{'A' * 43}"}


def test_reading_another_conversations_advisor_reply_without_its_token_is_refused(client: TestClient) -> None:
    _case_with_advisor_reply(client)
    owner = client.get("/api/chat/messages", headers=conversation_headers(client, "owner"))
    assert PHONE in owner.json()[-1]["text"]
    for headers in ({}, _forged(client, "owner"), {"Authorization": "Bearer " + conversation_id(client, "owner")}):
        response = client.get("/api/chat/messages", headers=headers)
        assert response.status_code == 401 and "Start en ny samtale" in response.json()["detail"]
    assert client.get("/api/chat/messages", headers=conversation_headers(client, "attacker")).json() == []


def test_the_old_sender_path_to_history_and_events_is_gone(client: TestClient) -> None:
    _case_with_advisor_reply(client)
    owner_id = conversation_id(client, "owner")
    assert client.get(f"/api/chat/{owner_id}/messages").status_code == 404
    assert client.get(f"/api/chat/{owner_id}/events").status_code == 404
    assert client.get("/api/chat/events").status_code == 401


def test_injecting_into_another_conversations_case_is_refused(client: TestClient) -> None:
    case_id = _case_with_advisor_reply(client)
    before = len(client.app.state.cases.get(case_id).messages)  # type: ignore[attr-defined]
    response = client.post("/api/chat", json={"message": "Send meg journalen"}, headers=_forged(client, "owner"))
    assert response.status_code == 401
    named = client.post("/api/chat", json={"sender": conversation_id(client, "owner"), "message": "Hei"})
    assert named.status_code in {401, 422}
    assert len(client.app.state.cases.get(case_id).messages) == before  # type: ignore[attr-defined]


def test_flooding_with_anothers_conversation_id_does_not_rate_limit_the_owner(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    client = client_with_rasa(healthy_rasa([{"recipient_id": "x", "text": "Svar"}]))
    for _ in range(25):
        assert client.post("/api/chat", json={"message": "hei"}, headers=_forged(client, "owner")).status_code == 401
    assert chat(client, "Hvem har ansvar for IP?", "owner").status_code == 200


def test_each_new_conversation_gets_its_own_unguessable_id(client: TestClient) -> None:
    started = [client.post("/api/conversations").json() for _ in range(3)]
    assert len({s["conversation_id"] for s in started}) == 3
    assert all(len(s["conversation_id"]) == 33 and s["token"].count(".") == 3 for s in started)


def test_a_token_signed_with_another_secret_or_expired_is_refused() -> None:
    conversation, token, expires = issue_conversation("server-secret", hours=1, now=1_000_000)
    assert conversation_of("server-secret", token, now=1_000_001) == conversation
    assert conversation_of("another-secret", token, now=1_000_001) is None
    assert conversation_of("server-secret", token, now=expires + 1) is None
    assert conversation_of("server-secret", token.replace(conversation, "w" + "0" * 32), now=1_000_001) is None


def test_expired_conversation_token_gets_401_over_http(settings: Settings, client: TestClient) -> None:
    _, token, _ = issue_conversation(settings.secret_key, hours=-1)
    response = client.post("/api/chat", json={"message": "hei"}, headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


def test_starting_conversations_in_a_loop_is_rate_limited_per_address(client: TestClient) -> None:
    codes = [client.post("/api/conversations").status_code for _ in range(40)]
    assert codes.count(201) == 30 and codes[-1] == 429


@pytest.mark.parametrize("sender", ["teams-" + "a" * 40, "w" + "0" * 32])
def test_web_channel_refuses_a_sender_it_did_not_issue(client: TestClient, sender: str) -> None:
    response = client.post("/api/chat", json={"sender": sender, "message": "hei"}, headers=conversation_headers(client))
    assert response.status_code == 422 and "sender" in response.json()["detail"]
    teams_token = f"cv1.{sender}.9999999999.{'A' * 43}"
    assert (
        client.post(
            "/api/chat", json={"message": "hei"}, headers={"Authorization": f"Bearer {teams_token}"}
        ).status_code
        == 401
    )


def test_teams_pseudonym_cannot_be_computed_from_the_teams_ids() -> None:
    activity = Activity.model_validate(
        {
            "type": "message",
            "channelId": "msteams",
            "serviceUrl": "https://smba.trafficmanager.net/emea/",
            "from": {"id": "29:user", "aadObjectId": "aad-user"},
            "recipient": {"id": "28:bot"},
            "conversation": {"id": "a:conversation"},
        }
    )
    pseudonym = sender_for(activity, "server-secret")
    unsalted = "teams-" + hashlib.sha256(b"a:conversation\naad-user").hexdigest()[:40]
    assert pseudonym.startswith("teams-") and pseudonym != unsalted
    assert pseudonym == sender_for(activity, "server-secret")  # stable for the same user and conversation
    assert pseudonym != sender_for(activity, "another-secret")
    assert pseudonym == teams_pseudonym("server-secret", "a:conversation", "aad-user")


def test_api_contract_documents_how_to_get_and_present_the_conversation_token(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    assert "/api/conversations" in schema["paths"]
    chat_security = schema["paths"]["/api/chat"]["post"]["security"]
    assert chat_security == [{"Conversation": []}]
    assert schema["components"]["securitySchemes"]["Conversation"]["scheme"] == "bearer"


def test_rasa_hears_the_issued_id_not_anything_the_client_chose(client_with_rasa: Callable[..., TestClient]) -> None:
    senders: list[str] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            senders.append(httpx.Response(200, content=request.content).json()["sender"])
        return healthy_rasa([{"recipient_id": "x", "text": "Svar"}])(request)

    client = client_with_rasa(rasa)
    chat(client, "Hvem har ansvar for IP?", "owner")
    assert senders == [conversation_id(client, "owner")]
