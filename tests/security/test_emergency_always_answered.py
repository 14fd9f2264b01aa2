"""Issue 14 §3: an emergency is always answered with 113 and 116 117 — over the rate limit, with
Rasa stalled or dead — and a typed request for an advisor opens a case while Rasa is down."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.advisor_request import wants_advisor
from tests.api.conftest import chat, healthy_rasa

OVERDOSE = "han har tatt en overdose og puster ikke"
STALL_SECONDS = 4.0


def _is_emergency(response: httpx.Response) -> bool:
    text = response.json()["messages"][0]["text"]
    return response.status_code == 200 and "113" in text and "116 117" in text


def test_113_while_rate_limited(client_with_rasa: Callable[..., TestClient]) -> None:
    client = client_with_rasa(healthy_rasa([{"recipient_id": "x", "text": "Svar"}]))
    for _ in range(20):
        assert chat(client, "hei").status_code == 200
    assert chat(client, "hei").status_code == 429
    assert _is_emergency(chat(client, OVERDOSE))
    assert _is_emergency(chat(client, "/" + OVERDOSE))


def test_113_with_rasa_stalled_comes_at_once(client_with_rasa: Callable[..., TestClient]) -> None:
    async def stalled(request: httpx.Request) -> httpx.Response:
        if request.url.path in {"/status", "/health"}:
            return healthy_rasa([])(request)
        await asyncio.sleep(STALL_SECONDS)
        return httpx.Response(200, json=[])

    client = client_with_rasa(stalled)
    started = time.monotonic()
    response = chat(client, "/" + OVERDOSE)
    assert _is_emergency(response)
    assert time.monotonic() - started < STALL_SECONDS / 2


def test_113_with_rasa_and_the_action_server_down(client: TestClient) -> None:
    """The `client` fixture's Rasa and action server ports refuse every connection."""
    assert _is_emergency(chat(client, "Han sier han skal ta livet sitt i kveld"))


def test_rasa_still_hears_the_emergency_kind_so_a_yes_takes_the_advisor(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    sent: list[str] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            sent.append(json.loads(request.content)["message"])
        return healthy_rasa([{"recipient_id": "x", "text": "Svar"}])(request)

    client = client_with_rasa(rasa)
    assert _is_emergency(chat(client, OVERDOSE))
    chat(client, "ja")
    assert sent == ['/crisis{"crisis_kind": "overdose"}', "ja"]


@pytest.mark.parametrize(
    ("typed", "case_opened"),
    [
        ("Jeg vil snakke med en rådgiver", "Saken din (nr. 1)"),
        ("eg vil snakka med ein rådgjevar", "Saka di (nr. 1)"),  # a nynorsk writer is answered in nynorsk
        ("kan jeg få prate med et menneske?", "Saken din (nr. 1)"),
    ],
)
def test_typed_advisor_request_opens_a_case_when_rasa_is_down(client: TestClient, typed: str, case_opened: str) -> None:
    response = chat(client, typed)
    assert response.status_code == 200 and case_opened in response.json()["messages"][0]["text"]
    [case] = client.app.state.cases.list()  # type: ignore[attr-defined]
    assert case.reason == "asked"


def test_ordinary_question_when_rasa_is_down_is_a_clear_503_not_a_case(client: TestClient) -> None:
    response = chat(client, "Hvem er rådgiver for ROP i kommunen?")
    assert response.status_code == 503 and "ikke tilgjengelig" in response.json()["detail"]
    assert client.app.state.cases.list() == []  # type: ignore[attr-defined]


# Minimal pairs: what must not matter (pronoun, dialect, politeness, tense of the verb) does not.
@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Jeg vil snakke med en rådgiver", "Eg vil snakke med ein rådgjevar"),
        ("Kan jeg få snakke med en rådgiver?", "kan jeg få snakke med en rådgiver takk"),
        ("Jeg vil prate med et menneske", "Jeg ville prate med et menneske"),
        ("rådgiver", "Rådgiver nå"),
    ],
)
def test_advisor_request_contrast_pairs_get_the_same_verdict(first: str, second: str) -> None:
    assert wants_advisor(first) and wants_advisor(second)


@pytest.mark.parametrize(
    "question",
    [
        "Hvem er rådgiver for ROP i kommunen?",
        "Hva gjør en rådgiver i NAV?",
        "Hvem har ansvaret for individuell plan?",
        "han snakker om at han vil dø",
        "Hvordan kontakter vi DPS?",
    ],
)
def test_questions_about_advisors_or_contact_are_not_requests(question: str) -> None:
    assert not wants_advisor(question)


UNCERTAIN = "han snakket om at alt er meningsløst, men sa at han har det greit"


def test_113_line_of_an_uncertain_message_survives_rasa_being_down(client: TestClient) -> None:
    assert client.app.state.safety.verdict(UNCERTAIN).uncertain  # type: ignore[attr-defined]
    response = chat(client, UNCERTAIN)
    assert response.status_code == 200
    first, second = response.json()["messages"]
    assert first["text"].startswith("Hvis noen er i akutt fare: ring 113")
    assert "ikke tilgjengelig" in second["text"] and second["buttons"][0]["payload"] == "/request_advisor"


def test_113_line_of_an_uncertain_message_survives_the_rate_limit(client_with_rasa: Callable[..., TestClient]) -> None:
    client = client_with_rasa(healthy_rasa([{"recipient_id": "x", "text": "Svar"}]))
    for _ in range(20):
        chat(client, "hei")
    first, second = chat(client, UNCERTAIN).json()["messages"]
    assert first["text"].startswith("Hvis noen er i akutt fare: ring 113") and "Vent litt" in second["text"]
