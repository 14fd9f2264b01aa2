"""One crisis verdict for every channel: the chat, /api/ask, /api/referral and Teams.

The attack: a message that one channel treats as an emergency and another as ordinary (the old
code had three crisis paths), or a bare fragment such as "han er 40 år" that got the emergency
reply. Each message below is sent through all four; each shows the same tier: certain (the
emergency reply), uncertain (the normal answer under one line with 113) or none.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from api.upstream import RasaGateway
from api.wiring import wire_teams
from devstack.bot_connector import BotConnectorCloud
from knowledge.pipeline import KnowledgePipeline
from knowledge.safety import EMERGENCY_HINT, SafetyRules
from tests.api.conftest import RasaHandler, chat, healthy_rasa
from tests.api.teams.conftest import teams_settings

RASA_REPLY = "Svar fra boten."
# Written for this test: certain, none (fragments and a minimal pair) and uncertain.
MESSAGES = [
    "han har tatt en overdose og puster ikke nå",
    "han er 40 år",
    "hun er 40 år",
    "han bor alene og trenger hjelp med bolig",
    "han snakket om at alt er meningsløst, men sa at han har det greit",
]


@pytest.fixture
def settings(tmp_path: Path, cloud: BotConnectorCloud) -> Settings:
    """The gateway with Teams pointed at the emulated cloud; Rasa comes from the stand-in."""
    return teams_settings(tmp_path, cloud)


def _tier(texts: list[str], emergency: str) -> str:
    """What the worker sees first: the emergency reply, the 113 line above the answer, or the answer."""
    first = " ".join(texts[0].split())
    return "certain" if first == " ".join(emergency.split()) else "uncertain" if first == EMERGENCY_HINT else "none"


def _teams_text(activity: dict[str, Any]) -> str:
    """The text of a Teams reply: plain, or the first block of its card (messages with buttons)."""
    return str(activity.get("text") or activity["attachments"][0]["content"]["body"][0]["text"])


def test_every_channel_gives_a_message_the_same_crisis_verdict(
    client_with_rasa: Callable[[RasaHandler], TestClient], settings: Settings, cloud: BotConnectorCloud
) -> None:
    client = client_with_rasa(healthy_rasa([{"recipient_id": "x", "text": RASA_REPLY}]))
    state = client.app.state  # type: ignore[attr-defined]
    wire_teams(state, settings, httpx.AsyncClient())  # Teams through the stand-in Rasa too
    safety: SafetyRules = state.safety
    expected = {text: safety.verdict(text).tier for text in MESSAGES}
    assert set(expected.values()) == {"certain", "uncertain", "none"}, expected
    for n, text in enumerate(MESSAGES):
        web = [m["text"] for m in chat(client, text, label=f"w{n}").json()["messages"]]
        ask = client.post("/api/ask", json={"question": text}).json()
        referral = client.post("/api/referral", json={"description": text}).json()
        activity = cloud.activity("message_personal", text=text)
        activity["conversation"]["id"] += f"-{n}"
        since = len(cloud.sent)
        client.post("/api/messages", json=activity, headers={"Authorization": cloud.token_for(activity)})
        replies = 1 if expected[text] == "certain" else 2 if expected[text] == "uncertain" else 1
        cloud.wait_for(since + replies + 1)  # a typing indicator first
        teams = [_teams_text(s.activity) for s in cloud.messages(since)]
        seen = {
            "chat": _tier(web, safety.message),
            "teams": _tier(teams, safety.message),
            "ask": "certain" if ask["urgent"] else "uncertain" if ask["emergency_hint"] else "none",
            "referral": "certain" if referral["urgent"] else "uncertain" if referral["emergency_hint"] else "none",
        }
        assert set(seen.values()) == {expected[text]}, (text, seen)
        assert expected[text] == "certain" or web[-1] == RASA_REPLY


def test_bare_fragment_about_a_man_gets_no_emergency_reply_anywhere(
    client_with_rasa: Callable[[RasaHandler], TestClient],
) -> None:
    client = client_with_rasa(healthy_rasa([{"recipient_id": "x", "text": RASA_REPLY}]))
    for fragment in ("han", "han er 40 år", "han heter [navn] og har fnr [fødselsnummer], hva gjør jeg?"):
        assert [m["text"] for m in chat(client, fragment).json()["messages"]] == [RASA_REPLY], fragment
        assert not client.post("/api/ask", json={"question": fragment}).json()["urgent"]
        assert not client.post("/api/referral", json={"description": fragment}).json()["urgent"]


def test_health_names_the_semantic_check_and_stays_200_without_it(
    client_with_rasa: Callable[[RasaHandler], TestClient], settings: Settings, engine: KnowledgePipeline
) -> None:
    response = client_with_rasa(healthy_rasa([])).get("/health")
    assert response.status_code == 200 and response.json()["components"]["semantic"] == "ok"
    off = settings.model_copy(update={"semantic_encoder": "off"})
    app = create_app(off, engine=engine)
    with TestClient(app) as client:
        transport = httpx.MockTransport(healthy_rasa([]))
        app.state.gateway = RasaGateway(httpx.AsyncClient(transport=transport), off.rasa_url, "", off.actions_url)
        response = client.get("/health")
    assert response.status_code == 200 and response.json()["components"]["semantic"].startswith("av (")
