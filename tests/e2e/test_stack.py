"""The real stack: Rasa, the action server and the gateway started from the Procfile, chatted with over HTTP.

Needs `make install index train` first (`make test` does it). Uses its own ports so a
running `make run` is not disturbed.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from knowledge.settings import PROJECT_ROOT
from tests.e2e.stack import Stack, StackFailed, start_stack

pytestmark = pytest.mark.e2e
ADVISOR = "rådgivertelefonen 400 00 000 (hverdager 08–15)"


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start every Procfile process as `make run` would, wait for /health, stop them afterwards."""
    if not (PROJECT_ROOT / "models" / "rop-veiviser.tar.gz").exists():
        pytest.fail("no trained Rasa model: run `make train` (make test does)")
    try:
        running = start_stack(tmp_path_factory.mktemp("stack-logs"), {"ADVISOR_CONTACT": ADVISOR})
    except StackFailed as error:
        pytest.fail(str(error))
    yield running
    running.stop()


def test_health_reports_every_component_ready(stack: Stack) -> None:
    assert stack.api.get("/health").json() == {
        "status": "ok",
        "components": {"rasa": "ok", "actions": "ok", "index": "ok"},
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
    assert ADVISOR in texts


def test_question_outside_the_guidelines_offers_an_advisor_instead_of_guessing(stack: Stack) -> None:
    messages = stack.chat("e2e-oos", "Hva blir været i Bergen i morgen?").json()["messages"]
    assert not any(m.get("sources") for m in messages)
    assert any(b["payload"] == "/request_advisor" for m in messages for b in m.get("buttons", []))


def test_bad_input_from_one_user_does_not_disturb_another(stack: Stack) -> None:
    assert stack.api.post("/api/chat", content=b"{nei", headers={"content-type": "application/json"}).status_code == 400
    assert stack.chat("e2e-bad", "x" * 6000).status_code == 422
    assert stack.chat("e2e-bad/../../etc", "hei").status_code == 422
    assert stack.chat("e2e-good", "Hvem skal følge opp bolig?").status_code == 200


def test_action_server_down_gives_503_on_chat_while_ask_keeps_working(stack: Stack) -> None:
    """Runs last: it stops the action server."""
    stack.stop_process("actions")
    time.sleep(2.5)  # longer than the gateway trusts a healthy probe
    response = stack.chat("e2e-down", "Hvem har ansvaret for individuell plan?")
    assert response.status_code == 503 and "ikke tilgjengelig" in response.json()["detail"]
    assert stack.api.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).status_code == 200
    health = stack.api.get("/health")
    assert health.status_code == 503 and health.json()["components"]["actions"] != "ok"
