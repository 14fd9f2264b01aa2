"""WCAG 2.1 AA in real Chromium against the real stack: axe-core finds nothing on the widget
(closed, open, a conversation with sources, buttons and an advisor reply) or on the advisor
console (log-in, queue, a case, insights); a worker does the whole path with the keyboard alone
and always sees where focus is; and no control depends on an emoji glyph, which a browser
without an emoji font draws as an empty box."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from devstack.stack import Stack
from knowledge.settings import PROJECT_ROOT
from tests.e2e.axe import assert_no_violations, focused
from tests.e2e.browser import TIMEOUT_MS, ask, open_widget

pytestmark = pytest.mark.e2e
EDITOR = "e2e-tilgjengelighet"
# Every button-like control in the page and in shadow roots: its text (without aria-hidden
# parts), its aria-label and whether either holds an emoji.
CONTROLS = """() => {
  const emoji = /\\p{Extended_Pictographic}/u;
  const found = [];
  const visit = (root) => {
    for (const control of root.querySelectorAll("button, [role=button], summary, a[href]")) {
      const copy = control.cloneNode(true);
      copy.querySelectorAll("[aria-hidden=true]").forEach((hidden) => hidden.remove());
      const text = copy.textContent.trim();
      const label = control.getAttribute("aria-label") || "";
      found.push({ html: control.outerHTML.slice(0, 120), text, label, emoji: emoji.test(text + label) });
    }
    for (const element of root.querySelectorAll("*")) if (element.shadowRoot) visit(element.shadowRoot);
  };
  visit(document);
  return found;
}"""


def _tab_to(page: Page, wanted: Callable[[dict[str, Any]], bool], what: str, backwards: bool = False) -> None:
    """Tab (or Shift+Tab) until `wanted` has focus; every stop on the way must show its focus."""
    for _ in range(40):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        found = focused(page)
        if found is None:
            continue
        assert found["marked"], f"focus is not visible on {found}"
        if wanted(found):
            return
    raise AssertionError(f"the keyboard never reached {what}")


def _every_stop_shows_focus(page: Page, screen: str) -> None:
    """Tab from the top of a freshly loaded page to its end: every stop shows where focus is."""
    stops = 0
    for _ in range(100):
        page.keyboard.press("Tab")
        found = focused(page)
        if found is None:
            break
        stops += 1
        assert found["marked"], f"{screen}: focus is not visible on {found}"
    assert stops > 2, f"{screen}: the keyboard reached only {stops} controls"


def _focus_is_on(page: Page, element_id: str) -> None:
    found = focused(page)
    assert found is not None and found["id"] == element_id, f"focus should be on #{element_id}, is on {found}"
    assert found["marked"], f"focus is not visible on {found}"


def _editor_password(stack: Stack) -> str:
    """An editor (advisor with the insights role) created with the CLI; the console password."""
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "add-advisor", EDITOR, "--role", "editor"],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.splitlines()[0].rsplit(": ", 1)[1]  # "… Passord for konsollet (/advisor): PASSWORD"


def _case_id(stack: Stack, advisor: dict[str, str], sender: str) -> int:
    [case] = [c for c in stack.api.get("/api/advisor/cases", headers=advisor).json() if c["sender"] == sender]
    return int(case["id"])


def test_the_widget_closed_and_open_has_no_wcag_violations(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(str(stack.api.base_url) + "/")
    expect(page.get_by_role("button", name="Spør ROP-veiviseren")).to_be_visible()
    assert_no_violations(page, "the chat page, widget closed")
    chat = open_widget(page, stack)
    expect(chat.locator("#messages")).to_contain_text("Ved akutt fare: ring 113", timeout=TIMEOUT_MS)
    assert_no_violations(page, "the widget open")
    page.close()


def test_a_conversation_with_sources_buttons_and_an_advisor_reply_has_no_wcag_violations_and_no_emoji_controls(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    messages = chat.locator("#messages")
    ask(chat, "Hvem har ansvaret for individuell plan?")
    expect(messages).to_contain_text("koordinator", timeout=TIMEOUT_MS)
    for summary in chat.locator("details.rop-source summary").all():
        summary.click()
    expect(chat.locator("details.rop-source[open] blockquote").first).to_be_visible()
    expect(chat.get_by_role("button", name="Nyttig", exact=True)).to_be_visible()
    expect(chat.get_by_role("button", name="Ikke nyttig", exact=True)).to_be_visible()

    ask(chat, "Kan jeg få snakke med en rådgiver?")
    expect(messages).to_contain_text("Saken din (nr.", timeout=TIMEOUT_MS)
    case_id = _case_id(stack, advisor, page.evaluate("window.ropVeiviser.conversation()"))
    stack.api.post(f"/api/advisor/cases/{case_id}/messages", json={"text": "Hei, jeg ser på det."}, headers=advisor)
    expect(messages).to_contain_text("Rådgiver: Hei, jeg ser på det.", timeout=TIMEOUT_MS)
    assert_no_violations(page, "a conversation with sources expanded, buttons and an advisor reply")

    controls = page.evaluate(CONTROLS)
    assert [c["html"] for c in controls if c["emoji"]] == [], "controls must not depend on emoji glyphs"
    assert [c["html"] for c in controls if not (c["text"] or c["label"])] == [], "controls without a name"
    stack.api.post(f"/api/advisor/cases/{case_id}/close", headers=advisor)
    page.close()


def test_the_advisor_console_and_insights_have_no_wcag_violations(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    password = _editor_password(stack)
    stack.chat("e2e-a11y-console", "Hvem har ansvaret for koordinering av tjenester?")
    stack.chat("e2e-a11y-console", "Kan jeg få snakke med en rådgiver?")
    case_id = _case_id(stack, advisor, stack.conversation_id("e2e-a11y-console"))

    page = browser.new_page()
    page.goto(str(stack.api.base_url) + "/advisor")
    assert_no_violations(page, "the console's log-in")
    login = page.locator("#login")
    login.get_by_label("Navn").fill(EDITOR)
    login.get_by_label("Passord").fill(password)
    login.get_by_role("button", name="Logg inn").click()
    expect(login).to_be_hidden(timeout=TIMEOUT_MS)
    expect(page.get_by_role("heading", name="Køen")).to_be_focused()  # not lost with the log-in form
    card = page.locator("#queue button").filter(has_text=re.compile(rf"Sak {case_id}\b"))
    expect(card).to_contain_text("venter i", timeout=TIMEOUT_MS)
    assert_no_violations(page, "the queue")
    page.reload()
    expect(card).to_be_visible(timeout=TIMEOUT_MS)
    _every_stop_shows_focus(page, "the queue")

    card.click()
    expect(page.locator("#case-meta")).to_contain_text(f"tatt av {EDITOR}", timeout=TIMEOUT_MS)
    expect(page.locator("#transcript")).to_contain_text("Hvem har ansvaret for koordinering av tjenester?")
    assert_no_violations(page, "an open case")
    page.get_by_role("button", name="Avslutt saken").focus()
    page.keyboard.press("Enter")
    expect(card).to_have_count(0)
    expect(page.get_by_role("navigation", name="Køen").locator(":focus")).to_have_count(1)  # on to the queue

    page.get_by_role("link", name="Innsikt").click()
    expect(page.get_by_role("status")).to_contain_text("Viser ", timeout=TIMEOUT_MS)
    expect(page.locator("figure[data-rendered='chart'] canvas").first).to_be_visible()
    assert_no_violations(page, "the insights page")
    _every_stop_shows_focus(page, "the insights page")
    page.get_by_label("Fra og med").fill("2020-01-06")  # a week with nothing stored
    page.get_by_label("Til og med").fill("2020-01-12")
    page.get_by_role("button", name="Vis perioden").click()
    expect(page.locator("#empty")).to_be_visible(timeout=TIMEOUT_MS)  # "Ingen data i perioden."
    assert_no_violations(page, "the insights page, an empty period")

    page.get_by_role("link", name="Til rådgiverkonsollet").click()
    logout = page.get_by_role("button", name="Logg ut")
    expect(logout).to_be_visible(timeout=TIMEOUT_MS)
    logout.focus()
    page.keyboard.press("Enter")
    expect(login.get_by_label("Navn")).to_be_focused()  # not lost with the log-out button
    page.close()


def test_keyboard_only_open_ask_expand_a_source_thumb_ask_for_an_advisor_and_close(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    page = browser.new_page()
    page.goto(str(stack.api.base_url) + "/")
    launcher = page.get_by_role("button", name="Spør ROP-veiviseren")
    _tab_to(page, lambda f: f["name"] == "Spør ROP-veiviseren", "the launcher")
    page.keyboard.press("Enter")
    expect(page.get_by_role("dialog", name="ROP-veiviser chat")).to_be_visible()
    chat = page.locator("deep-chat")
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("Ved akutt fare", timeout=TIMEOUT_MS)
    _focus_is_on(page, "text-input")  # opening the chat puts the worker in the input

    page.keyboard.type("Hvem har ansvaret for individuell plan?")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("koordinator", timeout=TIMEOUT_MS)
    _focus_is_on(page, "text-input")  # ready for the next question

    _tab_to(page, lambda f: f["tag"] == "summary", "a source", backwards=True)
    page.keyboard.press("Enter")
    expect(chat.locator("details.rop-source[open] blockquote")).to_be_visible()
    _tab_to(page, lambda f: f["name"] == "Nyttig", "the thumbs up")
    page.keyboard.press("Space")
    expect(messages).to_contain_text("Takk", timeout=TIMEOUT_MS)
    _focus_is_on(page, "text-input")  # a reply button sends, then the worker is back in the input

    page.keyboard.type("Kan jeg få snakke med en rådgiver?")
    page.keyboard.press("Enter")
    expect(messages).to_contain_text("Saken din (nr.", timeout=TIMEOUT_MS)
    _tab_to(page, lambda f: f["id"] == "messages", "the message list", backwards=True)
    assert messages.evaluate("list => list.scrollTop") > 0  # scrolled down to the newest message
    page.keyboard.press("Home")  # a long conversation is read by scrolling the list with the keyboard
    expect(messages).to_have_js_property("scrollTop", 0)
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="ROP-veiviser chat")).to_be_hidden()
    expect(launcher).to_be_focused()
    found = focused(page)
    assert found is not None and found["marked"], f"focus back on the launcher is not visible: {found}"
    case_id = _case_id(stack, advisor, page.evaluate("window.ropVeiviser.conversation()"))
    stack.api.post(f"/api/advisor/cases/{case_id}/close", headers=advisor)
    page.close()
