"""POST /api/chat: replies in the contract's shape, clear Norwegian errors for bad input, 503 when down."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

import httpx
import pytest
from fastapi.testclient import TestClient

from api.upstream import RasaGateway, transcript_lines
from contract.semantic import SEMANTIC_METADATA, unpack
from knowledge.safety import EMERGENCY_HINT
from tests.api.conftest import chat, conversation_headers, healthy_rasa, recording_rasa

SOURCE = {
    "id": "rop:x:1",
    "document": "ROP-retningslinjen",
    "title": "God samhandling",
    "text": "Sitat",
    "score": 0.03,
    "recommendation": "rop:y:1",
    "services": ["kommunen"],
}


def test_rasa_text_buttons_and_sources_are_merged_into_messages(client_with_rasa: Callable[..., TestClient]) -> None:
    replies = [
        {"recipient_id": "w1", "text": "Dette sier retningslinjen:"},
        {"recipient_id": "w1", "custom": {"sources": [SOURCE]}},
        {
            "recipient_id": "w1",
            "text": "Noe mer?",
            "buttons": [{"title": "Snakk med en rådgiver", "payload": "/request_advisor"}],
        },
    ]
    response = chat(client_with_rasa(healthy_rasa(replies)), "IP?", "w1")
    assert response.status_code == 200
    assert response.json() == {
        "messages": [
            {"text": "Dette sier retningslinjen:", "sources": [SOURCE]},
            {"text": "Noe mer?", "buttons": [{"title": "Snakk med en rådgiver", "payload": "/request_advisor"}]},
        ],
        "stored": "IP?",
        "language": "nb",
    }


def test_message_is_trimmed_before_it_reaches_rasa(client_with_rasa: Callable[..., TestClient]) -> None:
    seen, handler = recording_rasa([])

    chat(client_with_rasa(handler), "  hei\x00  ", "w1")
    assert [s["message"] for s in seen] == ["hei"]


@pytest.mark.parametrize(
    ("body", "detail"),
    [
        ({"message": ""}, "Meldingen er tom"),
        ({"message": "   \n\t "}, "Meldingen er tom"),
        ({"message": "x" * 5001}, "for lang"),
        ({"message": 42}, "må være tekst"),
        ({"message": ["hei"]}, "må være tekst"),
        ({}, "«message» mangler"),
        ({"sender": "w1", "message": "hei"}, "Ukjent felt «sender»"),  # the client never names the conversation
        ({"message": "hei", "admin": True}, "Ukjent felt «admin»"),
    ],
)
def test_bad_input_gets_422_with_norwegian_detail(client: TestClient, body: dict, detail: str) -> None:
    response = client.post("/api/chat", json=body, headers=conversation_headers(client))
    assert response.status_code == 422
    assert detail in response.json()["detail"]


def test_message_of_exactly_5000_characters_is_accepted(client_with_rasa: Callable[..., TestClient]) -> None:
    response = chat(client_with_rasa(healthy_rasa([])), "x" * 5000, "w1")
    assert response.status_code == 200


def test_invalid_json_gets_400_in_norwegian(client: TestClient) -> None:
    response = client.post(
        "/api/chat",
        content=b'{"message": ',
        headers={"content-type": "application/json", **conversation_headers(client)},
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "Ugyldig JSON i forespørselen."}


def test_json_that_is_not_an_object_gets_422(client: TestClient) -> None:
    response = client.post("/api/chat", json=["hei"], headers=conversation_headers(client))
    assert response.status_code == 422 and "JSON-objekt" in response.json()["detail"]


def test_oversized_body_gets_413(client: TestClient) -> None:
    response = client.post(
        "/api/chat", content=b"{" + b" " * 70_000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json() == {"detail": "Forespørselen er for stor."}


def test_rasa_down_gives_503_and_the_service_keeps_answering(client: TestClient) -> None:
    for _ in range(3):
        response = chat(client, "hei", "w1")
        assert response.status_code == 503
        assert "ikke tilgjengelig" in response.json()["detail"]
    assert client.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).status_code == 200


def test_action_server_down_gives_503_even_if_rasa_answers(client_with_rasa: Callable[..., TestClient]) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/health":
            raise httpx.ConnectError("refused", request=request)
        return healthy_rasa([{"recipient_id": "w1", "text": "hei"}])(request)

    response = chat(client_with_rasa(handler), "hei", "w1")
    assert response.status_code == 503


def test_unknown_path_gets_norwegian_404(client: TestClient) -> None:
    response = client.get("/api/finnes-ikke")
    assert response.status_code == 404 and response.json() == {"detail": "Fant ikke siden eller adressen."}


def test_silent_rasa_turn_gets_a_polite_norwegian_reply_with_advisor_button(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    """Rasa answers [] when a custom action fails; the worker must not be left with nothing."""
    response = chat(client_with_rasa(healthy_rasa([])), "hei", "w1")
    assert response.status_code == 200
    [message] = response.json()["messages"]
    assert message["text"].startswith("Beklager") and message["buttons"][0]["payload"] == "/request_advisor"


def test_streamed_body_without_length_is_cut_off_at_the_limit(client: TestClient) -> None:
    def chunks():  # type: ignore[no-untyped-def]
        yield b'{"message": "'
        for _ in range(100):
            yield b"x" * 1000
        yield b'"}'

    headers = {"content-type": "application/json", **conversation_headers(client)}
    response = client.post("/api/chat", content=chunks(), headers=headers)
    assert response.status_code == 413
    assert response.json() == {"detail": "Forespørselen er for stor."}


def test_emergency_and_dosing_questions_reach_rasa_as_intents_without_the_words(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    seen, handler = recording_rasa([{"recipient_id": "w1", "text": "Ring 113"}])

    client = client_with_rasa(handler)
    chat(client, "Han sier han skal ta livet sitt i kveld", "w1")
    chat(client, "Hvem lager kriseplanen?", "w1")
    chat(client, "Hvor mye metadon skal han ha?", "w1")
    assert seen[0]["message"] == '/crisis{"crisis_kind": "suicide"}'
    assert seen[1]["message"] == "Hvem lager kriseplanen?"
    assert seen[2]["message"] == '/clinical_question{"language": "nb"}'  # the language for Rasa's responses


def test_emergency_is_answered_with_113_even_when_rasa_is_down(client: TestClient) -> None:
    response = chat(client, "hun har tatt en overdose og puster ikke", "w1")
    assert response.status_code == 200
    [message] = response.json()["messages"]
    assert "113" in message["text"] and "116 117" in message["text"]
    assert message["buttons"] == [{"title": "Snakk med en rådgiver", "payload": "/request_advisor"}]


def test_ordinary_message_while_rasa_is_down_is_still_503(client: TestClient) -> None:
    response = chat(client, "Hvem har ansvar for IP?", "w1")
    assert response.status_code == 503


def test_case_transcript_shows_button_titles_and_labels_instead_of_raw_payloads() -> None:
    events = [
        {"event": "user", "text": "Jeg har en bruker med psykose"},
        {
            "event": "bot",
            "text": "Hvor lenge?",
            "data": {
                "buttons": [
                    {"title": "Langvarige", "payload": '/inform{"duration":"long"}'},
                    {"title": "👎 Ikke nyttig", "payload": "/feedback_negative"},
                ]
            },
        },
        {"event": "user", "text": '/inform{"duration":"long"}'},
        {"event": "user", "text": '/inform{"duration": "long", "language": "nn"}'},
        {"event": "user", "text": '/crisis{"crisis_kind": "suicide"}'},
        {"event": "user", "text": "/request_advisor"},
        {"event": "user", "text": "/feedback_negative"},
        {"event": "action", "name": "action_listen"},
    ]
    assert transcript_lines(events) == [
        ("worker", "Jeg har en bruker med psykose"),
        ("bot", "Hvor lenge?"),
        ("worker", "[Langvarige]"),
        ("worker", "[Langvarige]"),  # the same click in a nynorsk conversation (the gateway adds the language)
        ("worker", "[melding om akutt fare – ordlyden er ikke lagret]"),
        ("worker", "[ba om en rådgiver]"),
        ("worker", "[Ikke nyttig]"),  # the button's words without its emoji: the console may have no emoji font
    ]


def test_rasa_hears_the_gateways_crisis_tier_with_each_message(client_with_rasa: Callable[..., TestClient]) -> None:
    """The answer action acts on this tier instead of checking the words a second time."""
    seen, handler = recording_rasa([{"recipient_id": "w1", "text": "Svar."}])

    client = client_with_rasa(handler)
    shown = {}
    for text in ("Hvem har ansvaret for individuell plan?", "hun har skrevet avskjedsbrev for lenge siden"):
        first = chat(client, text).json()["messages"][0]["text"]
        shown[text] = "uncertain" if first == EMERGENCY_HINT else "none"
    assert [s["metadata"]["safety"] for s in seen] == list(shown.values())
    assert sorted(shown.values()) == ["none", "uncertain"]


def test_rasa_gets_the_words_e5_vector_so_it_need_not_encode_them_again(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    """The vector of the masked words the gateway checked, and none with a button or a clinical question."""
    seen, handler = recording_rasa([{"recipient_id": "w1", "text": "Svar."}])

    client = client_with_rasa(handler)
    encoder = client.app.state.semantic_encoder  # type: ignore[attr-defined]
    if encoder is None:
        pytest.fail("e5 did not load: this test checks the vector it gives")
    chat(client, "Kari Hansen har IP, hvem er koordinator?")
    chat(client, "/request_advisor")
    chat(client, "hvor mye metadon kan hun få?")
    first, button, clinical = (s["metadata"] for s in seen[:3])
    sent = unpack(first[SEMANTIC_METADATA])
    assert sent is not None and seen[0]["message"] == "[navn] har IP, hvem er koordinator?"
    assert float(sent @ encoder.encode_one(seen[0]["message"])) > 0.999
    assert SEMANTIC_METADATA not in button and SEMANTIC_METADATA not in clinical


def test_turns_arriving_together_share_one_readiness_probe() -> None:
    """At low traffic every turn needs a probe; Rasa and the action server are each asked once,
    not once per waiting turn, and not again while the answer is fresh."""
    calls: Counter[str] = Counter()

    def handler(request: httpx.Request) -> httpx.Response:
        calls[request.url.path] += 1
        return healthy_rasa([{"recipient_id": "w1", "text": "Hei!"}])(request)

    gateway = RasaGateway(httpx.AsyncClient(transport=httpx.MockTransport(handler)), "http://r", "t", "http://a")

    async def turns() -> None:
        gateway.probe_soon()
        await asyncio.gather(*(gateway.send(f"w{i}", "hei") for i in range(3)))
        await gateway.send("w9", "hei")

    asyncio.run(turns())
    assert calls == {"/status": 1, "/health": 1, "/webhooks/rest/webhook": 4}
