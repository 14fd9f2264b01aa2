"""The advisor console in real Chromium against the real stack: an advisor logs in, the queue puts
an emergency first and ordinary cases oldest first, and a case that comes in while the console
is open is announced in the page title and, when the advisor turned it on, with a tone."""

from __future__ import annotations

import subprocess
import sys
import time

import httpx
import pytest
from playwright.sync_api import Browser, expect

from devstack.stack import Stack
from knowledge.settings import PROJECT_ROOT
from tests.e2e.browser import TIMEOUT_MS

pytestmark = pytest.mark.e2e
NAME = "e2e-konsoll"
# Counts the tones the console makes (WebAudio oscillators started).
COUNT_TONES = """() => {
  window.tones = 0;
  const create = AudioContext.prototype.createOscillator;
  AudioContext.prototype.createOscillator = function () { window.tones += 1; return create.call(this); };
}"""


def _password(stack: Stack) -> str:
    """A console password for the advisor NAME (created with the CLI if needed)."""
    stack.add_advisor(NAME)
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "new-password", NAME],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.strip().splitlines()[-1]


def _ask_for_advisor(stack: Stack, label: str, question: str) -> str:
    """A worker asks a question, then for an advisor: a case opens. Its conversation id."""
    stack.chat(label, question)
    assert "Saken din (nr." in str(stack.chat(label, "Kan jeg få snakke med en rådgiver?").json())
    return stack.conversation_id(label)


def _emergency_then_advisor(stack: Stack, label: str) -> str:
    """An emergency, then the advisor button under the emergency reply, once Rasa has heard of
    the emergency (the gateway tells it in the background): a case that began as an emergency."""
    stack.chat(label, "Han sier han skal ta livet sitt i kveld")
    tracker = f"{stack.env['RASA_URL']}/conversations/{stack.conversation_id(label)}/tracker"
    deadline = time.monotonic() + 30
    while "action_respond_crisis" not in httpx.get(tracker, params={"token": stack.env["RASA_TOKEN"]}).text:
        assert time.monotonic() < deadline, "Rasa never heard of the emergency"
        time.sleep(0.3)
    stack.chat(label, "/request_advisor")
    return stack.conversation_id(label)


def test_emergency_first_then_oldest_and_a_new_case_is_announced_in_the_title(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    password = _password(stack)
    older = _ask_for_advisor(stack, "e2e-queue-older", "Hvem har ansvaret for individuell plan?")
    newer = _ask_for_advisor(stack, "e2e-queue-newer", "Hvem følger opp bolig?")

    page = browser.new_page()
    page.add_init_script(f"({COUNT_TONES})()")
    page.goto(str(stack.api.base_url) + "/advisor")
    title = page.title()
    login = page.locator("#login")
    login.get_by_label("Navn").fill(NAME)
    login.get_by_label("Passord").fill(password)
    login.get_by_role("button", name="Logg inn").click()
    expect(login).to_be_hidden()
    cards = page.locator("#queue button")
    expect(cards.filter(has_text="Hvem følger opp bolig?")).to_contain_text("venter i", timeout=TIMEOUT_MS)
    expect(page).to_have_title(title)  # cases waiting at log-in are on screen, not news
    page.get_by_label("Lyd ved ny sak").check()

    emergency = _emergency_then_advisor(stack, "e2e-queue-emergency")
    expect(page).to_have_title("(1) Ny sak – ROP-veiviser", timeout=TIMEOUT_MS)
    assert page.evaluate("window.tones") == 1 + 2  # the toggle's sample, then two for an emergency

    cases = {c["sender"]: c["id"] for c in stack.api.get("/api/advisor/cases", headers=advisor).json()}
    mine = [f"Sak {cases[sender]} " for sender in (emergency, older, newer)]
    shown = [text for text in cards.all_inner_texts() if any(number in text for number in mine)]
    assert [next(n for n in mine if n in text) for text in shown] == mine  # emergency, then oldest first
    assert shown[0].startswith("Akutt Ny Venter") and "Nett" in shown[0]
    assert "«Hvem har ansvaret for individuell plan?»" in shown[1] and "ikke tatt" in shown[1]

    cards.filter(has_text=mine[0]).click()
    expect(page).to_have_title(title)  # opened: no longer news
    expect(page.locator("#case-meta")).to_contain_text(f"Årsak: Akutt · Nett · tatt av {NAME}")
    page.get_by_role("button", name="Avslutt saken").click()
    expect(cards.filter(has_text=mine[0])).to_have_count(0)
    page.reload()
    expect(page.get_by_label("Lyd ved ny sak")).to_be_checked()  # remembered in this browser
    page.close()
    for conversation_id in (older, newer):
        stack.api.post(f"/api/advisor/cases/{cases[conversation_id]}/close", headers=advisor)
