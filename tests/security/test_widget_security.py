"""Issue 14 §1, §2, §7 in real Chromium: links are sanitised whatever the browser does, history
is masked and lives only for the session, and each browser gets a conversation of its own."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Browser, expect

from devstack.stack import Stack
from tests.e2e.browser import TIMEOUT_MS, ask, open_widget

pytestmark = pytest.mark.e2e
FNR = "15038512525"
HOSTILE_REPLY = (
    "Se [skjemaet](javascript:alert(document.domain)), [vedlegget](data:text/html;base64,PHNjcmlwdD4=), "
    "<javascript:alert(1)>, [JaVaScRiPt](  JAVASCRIPT:alert(2)) og [veilederen](https://www.helsedirektoratet.no)."
)


def test_javascript_and_data_links_in_an_advisor_reply_render_as_plain_text(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    ask(chat, "Kan jeg få snakke med en rådgiver?")
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("Saken din (nr.", timeout=TIMEOUT_MS)
    conversation = page.evaluate("window.ropVeiviser.conversation()")
    [case] = [c for c in stack.api.get("/api/advisor/cases", headers=advisor).json() if c["sender"] == conversation]
    sent = stack.api.post(f"/api/advisor/cases/{case['id']}/messages", json={"text": HOSTILE_REPLY}, headers=advisor)
    assert sent.status_code == 200
    expect(messages).to_contain_text("veilederen", timeout=TIMEOUT_MS)
    hrefs = chat.locator("#messages a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert hrefs == ["https://www.helsedirektoratet.no"]
    expect(messages).to_contain_text("skjemaet")  # the words stay, only the link is gone
    stack.api.post(f"/api/advisor/cases/{case['id']}/close", headers=advisor)
    page.close()


def test_history_holds_masked_text_in_session_storage_only(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    ask(chat, f"Pasienten har fnr {FNR}. Hvem har ansvaret for individuell plan?")
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("koordinator", timeout=TIMEOUT_MS)
    expect(messages).to_contain_text("[fødselsnummer]")  # the bubble shows what was kept
    expect(messages).not_to_contain_text(FNR)
    local = page.evaluate("JSON.stringify(Object.assign({}, localStorage))")
    session = page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")
    assert "rop-veiviser" not in local and "deep-chat" not in local
    history = json.loads(json.loads(session)["rop-veiviser-history"])
    assert FNR not in json.dumps(history) and "[fødselsnummer]" in history[0]["text"]
    page.reload()
    chat = open_widget(page, stack)
    expect(chat.locator("#messages")).to_contain_text("[fødselsnummer]", timeout=TIMEOUT_MS)
    expect(chat.locator("#messages")).not_to_contain_text(FNR)
    page.close()


def test_new_conversation_button_forgets_history_and_token_on_a_shared_pc(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    ask(chat, "Hvem har ansvaret for individuell plan?")
    expect(chat.locator("#messages")).to_contain_text("koordinator", timeout=TIMEOUT_MS)
    before = page.evaluate("window.ropVeiviser.conversation()")
    page.get_by_role("button", name="Ny samtale").click()
    expect(chat.locator("#messages")).not_to_contain_text("koordinator", timeout=TIMEOUT_MS)
    after = page.evaluate("window.ropVeiviser.conversation()")
    assert after != before
    assert "individuell plan" not in page.evaluate("JSON.stringify(Object.assign({}, sessionStorage))")
    page.reload()
    chat = open_widget(page, stack)
    expect(chat.locator("#messages")).not_to_contain_text("individuell plan")
    page.close()


def test_a_new_browser_gets_a_new_conversation_and_a_reload_keeps_it(browser: Browser, stack: Stack) -> None:
    first, second = browser.new_context(), browser.new_context()
    page = first.new_page()
    open_widget(page, stack)
    conversation = page.evaluate("window.ropVeiviser.conversation()")
    page.reload()
    open_widget(page, stack)
    assert page.evaluate("window.ropVeiviser.conversation()") == conversation
    other = second.new_page()
    open_widget(other, stack)
    assert other.evaluate("window.ropVeiviser.conversation()") != conversation
    first.close()
    second.close()
