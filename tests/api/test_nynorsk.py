"""A worker who writes nynorsk gets the gateway's own words in nynorsk for the rest of the
conversation, Rasa hears the language with every message, and LANGUAGE=nn makes nynorsk the default."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.schemas import ChatMessage, SourceOut
from api.settings import Settings
from api.teams.cards import activity_for
from api.upstream import RasaGateway
from api.wiring import conversation
from knowledge.pipeline import KnowledgePipeline
from tests.api.conftest import chat, conversation_headers, recording_rasa

NYNORSK_QUESTION = "Kven har ansvaret for bustad når nokon kjem ut frå fengsel?"


def test_nynorsk_sticks_through_neutral_messages_until_clear_bokmal(
    client_with_rasa: Callable[..., TestClient],
) -> None:
    seen, handler = recording_rasa([])  # a silent Rasa: the gateway answers with its own words
    client = client_with_rasa(handler)
    replies = [
        chat(client, text).json() for text in (NYNORSK_QUESTION, "og DPS?", "ja", "Hvem har ansvaret for bolig?")
    ]
    assert [body["language"] for body in replies] == ["nn", "nn", "nn", "nb"]
    assert [message["metadata"]["language"] for message in seen] == ["nn", "nn", "nn", "nb"]
    [nynorsk] = replies[1]["messages"]
    assert nynorsk["text"].startswith("Orsak, eg fekk ikkje til å svare")
    assert nynorsk["buttons"] == [{"title": "Snakk med ein rådgjevar", "payload": "/request_advisor"}]
    assert replies[3]["messages"][0]["text"].startswith("Beklager, jeg fikk ikke")


def test_emergency_reply_is_nynorsk_for_a_nynorsk_writer(client: TestClient) -> None:
    response = chat(client, "Han seier at han skal ta livet sitt i kveld, eg veit ikkje kva eg skal gjere")
    [message] = response.json()["messages"]
    assert "Ring 113 no" in message["text"] and "Ikkje la personen vere åleine." in message["text"]
    assert message["buttons"][0]["title"] == "Snakk med ein rådgjevar"


def test_outage_and_hand_off_speak_nynorsk(client: TestClient) -> None:
    down = chat(client, NYNORSK_QUESTION)
    assert down.status_code == 503 and down.json()["detail"].startswith("Samtaletenesta er ikkje tilgjengeleg")
    # Rasa is down: the gateway hands over itself
    [opened] = chat(client, "Eg vil snakke med ein rådgjevar").json()["messages"]
    assert (
        "Saka di (nr." in opened["text"] and "Ved akutt fare: ring 113, eller legevakta på 116 117." in opened["text"]
    )
    [added] = chat(client, "takk").json()["messages"]  # says nothing of the standard: still nynorsk
    assert added["text"].startswith("Meldinga er lagd til saka di. Ein rådgjevar svarar")


@pytest.fixture
def nynorsk_client(settings: Settings, engine: KnowledgePipeline) -> Iterator[TestClient]:
    with TestClient(create_app(settings.model_copy(update={"language": "nn"}), engine=engine)) as test_client:
        yield test_client


def test_language_nn_makes_nynorsk_the_default(nynorsk_client: TestClient) -> None:
    started = nynorsk_client.post("/api/conversations").json()
    assert started["language"] == "nn"
    assert chat(nynorsk_client, "hei").json()["detail"].startswith("Samtaletenesta er ikkje")  # Rasa is down
    empty = nynorsk_client.post("/api/chat", json={"message": "  "}, headers=conversation_headers(nynorsk_client))
    assert empty.status_code == 422 and empty.json()["detail"] == "Meldinga er tom. Skriv eit spørsmål."
    too_long = nynorsk_client.post(
        "/api/chat", json={"message": "x" * 5001}, headers=conversation_headers(nynorsk_client)
    )
    assert too_long.json()["detail"] == "Meldinga er for lang (over 5000 teikn). Kort ho ned og prøv igjen."
    assert nynorsk_client.get("/api/finst-ikkje").json() == {"detail": "Fann ikkje sida eller adressa."}
    bokmal = chat(nynorsk_client, "Hvem har ansvaret for bolig? Jeg vet ikke hvem jeg skal spørre")
    assert bokmal.json()["detail"].startswith("Samtaletjenesten er ikke tilgjengelig")


def test_teams_cards_fold_sources_out_in_nynorsk() -> None:
    source = SourceOut(id="rop:x:1", document="ROP-retningslinjen", title="Bolig", text="Kommunene bør", score=1.0)
    card = activity_for(ChatMessage(text="Kort svar: …", sources=[source]), "nn")["attachments"][0]["content"]
    assert card["actions"][-1]["title"] == "Vis kjelder (1)"
    assert "«Kommunene bør»" in card["actions"][-1]["card"]["body"][1]["text"]  # the quote as the source wrote it


def test_ask_and_referral_answer_a_nynorsk_question_in_nynorsk_with_verbatim_quotes(client: TestClient) -> None:
    asked = client.post("/api/ask", json={"question": "Kven har ansvaret for individuell plan?"}).json()
    assert asked["short_answer"].startswith("Kommunen har hovudansvaret: koordinatoren i kommunen")
    assert asked["answer"] == asked["sources"][0]["text"]  # the guideline's own words
    description = "Han har schizofreni, brukar amfetamin dagleg og har vore sjuk i mange år"
    suggested = client.post("/api/referral", json={"description": description}).json()
    assert suggested["pathway"] == 3
    assert suggested["lead"] == "Kommunen og spesialisthelsetenesta har ansvar samtidig og må samarbeide tett."
    assert "TSB (tverrfagleg spesialisert rusbehandling)" in suggested["actors"]
    bokmal = client.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).json()
    assert bokmal["short_answer"].startswith("Kommunen har hovedansvaret")


def test_language_setting_reads_nn_and_survives_a_locale_list(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "nn")
    assert Settings(_env_file=None).language == "nn"  # type: ignore[call-arg]
    monkeypatch.setenv("LANGUAGE", "en_US:en")
    assert Settings(_env_file=None).language == "nb"  # type: ignore[call-arg]


def test_a_button_first_in_a_nynorsk_deployment_tells_rasa_the_language_in_the_payload(
    settings: Settings, engine: KnowledgePipeline
) -> None:
    """Rasa runs no NLU on a payload, so the metadata alone would leave its language slot empty
    and its responses in bokmål: the gateway adds the language as the payload's entity."""
    seen, handler = recording_rasa([{"text": "Ok."}])
    app = create_app(settings.model_copy(update={"language": "nn"}), engine=engine)
    with TestClient(app) as client:
        app.state.gateway = RasaGateway(
            httpx.AsyncClient(transport=httpx.MockTransport(handler)), settings.rasa_url, "token", settings.actions_url
        )
        app.state.conversation = conversation(app.state)
        assert chat(client, "/request_advisor").status_code == 200
        assert chat(client, "Hvem har ansvaret for bolig? Jeg vet ikke hvem jeg skal spørre").status_code == 200
        assert chat(client, '/inform{"severity": "mild"}').status_code == 200
    assert [message["message"] for message in seen] == [
        '/request_advisor{"language": "nn"}',
        "Hvem har ansvaret for bolig? Jeg vet ikke hvem jeg skal spørre",
        '/inform{"severity": "mild", "language": "nb"}',
    ]
