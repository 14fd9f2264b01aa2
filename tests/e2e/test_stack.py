"""The real stack: Rasa, the action server and the gateway started from the Procfile, chatted with over HTTP.

Needs `make install index train` first (`make test` does it). Uses its own ports so a
running `make run` is not disturbed.
"""

from __future__ import annotations

import time

import pytest

from devstack.stack import ADVISOR_CONTACT, Stack

pytestmark = pytest.mark.e2e
FNR = "15076500565"


def test_health_reports_every_component_ready(stack: Stack) -> None:
    assert stack.api.get("/health").json() == {
        "status": "ok",
        "components": {"rasa": "ok", "actions": "ok", "index": "ok", "semantic": "ok", "database": "ok"},
    }


def test_greeting_is_answered_in_norwegian_with_the_emergency_number(stack: Stack) -> None:
    messages = stack.chat("e2e-greet", "Hei!").json()["messages"]
    assert messages and "113" in " ".join(m["text"] for m in messages)


def test_responsibility_question_is_answered_with_the_cited_guideline(stack: Stack) -> None:
    response = stack.chat("e2e-ip", "Hvem har ansvaret for individuell plan?")
    assert response.status_code == 200, stack.log_tail()
    [answer] = [m for m in response.json()["messages"] if m.get("sources")]
    assert "koordinator" in answer["text"]
    assert "Kilde: ROP-retningslinjen" in answer["text"]
    assert answer["sources"][0]["document"] == "ROP-retningslinjen"


def test_advisor_request_gives_the_configured_contact(stack: Stack) -> None:
    texts = " ".join(
        m["text"] for m in stack.chat("e2e-advisor", "Kan jeg få snakke med en rådgiver?").json()["messages"]
    )
    assert ADVISOR_CONTACT in texts


def test_question_outside_the_guidelines_offers_an_advisor_instead_of_guessing(stack: Stack) -> None:
    messages = stack.chat("e2e-oos", "Hva blir været i Bergen i morgen?").json()["messages"]
    assert not any(m.get("sources") for m in messages)
    assert any(b["payload"] == "/request_advisor" for m in messages for b in m.get("buttons", []))


def test_bad_input_from_one_user_does_not_disturb_another(stack: Stack) -> None:
    assert stack.api.post("/api/chat", content=b"{nei", headers={"content-type": "application/json"}).status_code == 400
    assert stack.chat("e2e-bad", "x" * 6000).status_code == 422
    assert stack.api.post("/api/chat", json={"message": "hei"}).status_code == 401
    assert stack.chat("e2e-good", "Hvem skal følge opp bolig?").status_code == 200


def _texts(response_json: dict) -> str:
    return " ".join(m["text"] for m in response_json["messages"])


def _buttons(response_json: dict) -> dict[str, str]:
    return {b["title"]: b["payload"] for m in response_json["messages"] for b in m.get("buttons", [])}


def test_referral_asks_only_what_the_description_leaves_out_then_suggests_a_cited_pathway(stack: Stack) -> None:
    first = stack.chat("e2e-referral", "Jeg har en bruker med schizofreni som bruker amfetamin.").json()
    assert "Hvor lenge" in _texts(first)
    long_term = _buttons(first)["Langvarige (mer enn et år)"]
    suggestion = stack.chat("e2e-referral", long_term).json()
    [message] = [m for m in suggestion["messages"] if m.get("sources")]
    assert "hovedforløp 3" in message["text"] and "alvorlige og langvarige" in message["text"]
    assert "Kilde: Sammen om mestring" in message["text"]
    assert message["sources"][0]["document"] == "Sammen om mestring"
    assert {"Endre alvorlighet", "Endre varighet", "Start på nytt"} <= set(_buttons(suggestion))


def test_correcting_one_answer_gives_a_new_suggestion(stack: Stack) -> None:
    stack.chat("e2e-correct", "Jeg har en bruker med schizofreni som bruker amfetamin.")
    suggestion = stack.chat("e2e-correct", '/inform{"duration": "long"}').json()
    asked = stack.chat("e2e-correct", _buttons(suggestion)["Endre varighet"]).json()
    assert "Hvor lenge" in _texts(asked)
    corrected = stack.chat("e2e-correct", "det har bare vart noen uker").json()
    assert "hovedforløp 2" in _texts(corrected), _texts(corrected)


def test_emergency_interrupts_the_referral_form_and_the_conversation_goes_on(stack: Stack) -> None:
    asked = stack.chat("e2e-crisis", "hvilket hovedforløp passer?").json()
    assert "Beskriv personen" in _texts(asked)
    emergency = stack.chat("e2e-crisis", "Han sier han skal ta livet sitt i kveld").json()
    assert "113" in _texts(emergency) and "116 117" in _texts(emergency) and "alene" in _texts(emergency)
    assert _buttons(emergency) == {"Snakk med en rådgiver": "/request_advisor"}
    after = stack.chat("e2e-crisis", "Hvem har ansvaret for individuell plan?").json()
    assert "koordinator" in _texts(after)


def test_dosing_question_in_the_chat_points_to_the_clinician(stack: Stack) -> None:
    texts = _texts(stack.chat("e2e-dose", "Hvor mye metadon skal en ny pasient ha?").json())
    assert "legen eller behandleren" in texts and "113" in texts


def test_escalation_relays_the_advisor_reply_and_the_bot_resumes_after_closing(
    stack: Stack, advisor: dict[str, str]
) -> None:
    stack.chat("e2e-case", f"Bruker med fødselsnummer {FNR}, Per Hansen, trenger bolig. Hvem har ansvaret?")
    handed = stack.chat("e2e-case", "Kan jeg få snakke med en rådgiver?").json()
    assert "Saken din (nr." in _texts(handed)
    [case] = [
        c
        for c in stack.api.get("/api/advisor/cases", headers=advisor).json()
        if c["sender"] == stack.conversation_id("e2e-case")
    ]
    transcript = " ".join(m["text"] for m in case["messages"])
    assert "[fødselsnummer]" in transcript and "trenger bolig" in transcript and "Kan jeg få snakke" in transcript
    assert FNR not in transcript and "Hansen" not in transcript
    stack.chat("e2e-case", "Jeg venter her")  # goes to the case, not the bot
    sent = stack.api.post(
        f"/api/advisor/cases/{case['id']}/messages", json={"text": "Hei! Kommunen har ansvaret."}, headers=advisor
    )
    assert sent.status_code == 200
    history = stack.api.get("/api/chat/messages", headers=stack.auth("e2e-case")).json()
    assert "Hei! Kommunen har ansvaret." in [m["text"] for m in history]
    assert stack.api.post(f"/api/advisor/cases/{case['id']}/close", headers=advisor).json()["status"] == "closed"
    resumed = stack.chat("e2e-case", "Hvem har ansvaret for individuell plan?").json()
    assert "koordinator" in _texts(resumed)


def test_restarting_rasa_and_the_gateway_loses_no_case_and_no_conversation(
    stack: Stack, advisor: dict[str, str]
) -> None:
    stack.chat("e2e-restart", "Jeg har en bruker med schizofreni som bruker amfetamin.")  # form asks for duration
    stack.chat("e2e-restart-case", "Jeg vil snakke med en rådgiver")
    stack.chat("e2e-restart-case", "Det gjelder oppfølging etter utskrivning")
    stack.restart("rasa", "api")
    cases = stack.api.get("/api/advisor/cases", headers=advisor).json()
    [case] = [c for c in cases if c["sender"] == stack.conversation_id("e2e-restart-case")]
    assert "Det gjelder oppfølging etter utskrivning" in [m["text"] for m in case["messages"]]
    suggestion = stack.chat("e2e-restart", '/inform{"duration": "long"}').json()  # the form goes on
    assert "hovedforløp 3" in _texts(suggestion)


def test_action_server_down_gives_503_on_chat_while_ask_keeps_working(stack: Stack) -> None:
    """Stops the action server, then starts it again for the tests after this one."""
    stack.stop_process("actions")
    time.sleep(2.5)  # longer than the gateway trusts a healthy probe
    response = stack.chat("e2e-down", "Hvem har ansvaret for individuell plan?")
    assert response.status_code == 503 and "ikke tilgjengelig" in response.json()["detail"]
    assert stack.api.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).status_code == 200
    health = stack.api.get("/health")
    assert health.status_code == 503 and health.json()["components"]["actions"] != "ok"
    stack.restart("actions")
    assert stack.api.get("/health").status_code == 200
