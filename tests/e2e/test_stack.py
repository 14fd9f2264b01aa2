"""The real stack: Rasa, the action server and the gateway started from the Procfile, chatted with over HTTP.

Needs `make install index train` first (`make test` does it). Uses its own ports so a
running `make run` is not disturbed.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from knowledge.settings import PROJECT_ROOT

pytestmark = pytest.mark.e2e
PORTS = {"RASA_PORT": 15005, "ACTIONS_PORT": 15055, "API_PORT": 18000}
ADVISOR = "rådgivertelefonen 400 00 000 (hverdager 08–15)"
STARTUP_SECONDS = 300


@dataclass
class Stack:
    """The running processes and a client for the gateway."""

    processes: dict[str, subprocess.Popen[bytes]]
    logs: Path
    api: httpx.Client

    def chat(self, sender: str, message: str) -> httpx.Response:
        return self.api.post("/api/chat", json={"sender": sender, "message": message})

    def log_tail(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-3000:]}" for p in sorted(self.logs.glob("*.log"))
        )


def _procfile() -> dict[str, str]:
    lines = (PROJECT_ROOT / "Procfile").read_text(encoding="utf-8").splitlines()
    return {name.strip(): command.strip() for name, command in (line.split(":", 1) for line in lines if line.strip())}


def _stop(processes: dict[str, subprocess.Popen[bytes]]) -> None:
    for process in processes.values():
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
    for process in processes.values():
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """Start every Procfile process as `make run` would, wait for /health, stop them afterwards."""
    if not (PROJECT_ROOT / "models" / "rop-veiviser.tar.gz").exists():
        pytest.fail("no trained Rasa model: run `make train` (make test does)")
    logs = tmp_path_factory.mktemp("stack-logs")
    env = (
        os.environ
        | {key: str(value) for key, value in PORTS.items()}
        | {
            "RASA_TOKEN": secrets.token_hex(16),
            "RASA_URL": f"http://127.0.0.1:{PORTS['RASA_PORT']}",
            "ACTIONS_URL": f"http://127.0.0.1:{PORTS['ACTIONS_PORT']}",
            "ACTION_SERVER_URL": f"http://127.0.0.1:{PORTS['ACTIONS_PORT']}/webhook",
            "API_HOST": "127.0.0.1",
            "ADVISOR_CONTACT": ADVISOR,
            "RASA_TELEMETRY_ENABLED": "false",
            "HF_HUB_OFFLINE": "1",
        }
    )
    processes = {
        name: subprocess.Popen(
            ["bash", "-c", command],
            cwd=PROJECT_ROOT,
            env=env,
            start_new_session=True,
            stdout=(logs / f"{name}.log").open("wb"),
            stderr=subprocess.STDOUT,
        )
        for name, command in _procfile().items()
    }
    api = httpx.Client(base_url=f"http://127.0.0.1:{PORTS['API_PORT']}", timeout=60)
    stack = Stack(processes, logs, api)
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            dead = [name for name, p in processes.items() if p.poll() is not None]
            if dead:
                pytest.fail(f"{dead} exited during start-up\n{stack.log_tail()}")
            try:
                if api.get("/health").status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"stack not healthy after {STARTUP_SECONDS} s\n{stack.log_tail()}")
            time.sleep(1)
        yield stack
    finally:
        api.close()
        _stop(processes)


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
    actions = stack.processes["actions"]
    os.killpg(actions.pid, signal.SIGTERM)
    actions.wait(timeout=20)
    time.sleep(2.5)  # longer than the gateway trusts a healthy probe
    response = stack.chat("e2e-down", "Hvem har ansvaret for individuell plan?")
    assert response.status_code == 503 and "ikke tilgjengelig" in response.json()["detail"]
    assert stack.api.post("/api/ask", json={"question": "Hvem har ansvaret for individuell plan?"}).status_code == 200
    health = stack.api.get("/health")
    assert health.status_code == 503 and health.json()["components"]["actions"] != "ok"
