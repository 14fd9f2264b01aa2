"""The widget in real headless Chromium against the real stack: a full conversation with a
cited answer, escalation, a live advisor reply, a reload, closing and the bot answering again;
keyboard use and a phone-size screen."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, expect

from devstack.stack import Stack
from tests.e2e.browser import TIMEOUT_MS, ask, open_widget

pytestmark = pytest.mark.e2e
# Records whether deep-chat's typing indicator (loading dots) appeared at any moment.
WATCH_TYPING = """() => {
  window.sawTyping = false;
  const root = document.querySelector("deep-chat").shadowRoot;
  new MutationObserver(() => {
    if (root.querySelector(".loading-message-dots")) window.sawTyping = true;
  }).observe(root, { childList: true, subtree: true });
}"""


def test_full_conversation_with_escalation_live_advisor_reply_reload_and_resume(
    browser: Browser, stack: Stack, advisor: dict[str, str]
) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("Ved akutt fare: ring 113", timeout=TIMEOUT_MS)

    page.evaluate(WATCH_TYPING)
    ask(chat, "Hvem har ansvaret for individuell plan?")
    expect(messages).to_contain_text("koordinator", timeout=TIMEOUT_MS)
    assert page.evaluate("window.sawTyping")  # the typing indicator showed while the bot answered
    source = chat.locator("details.rop-source").first
    expect(source.locator("blockquote")).not_to_be_visible()
    source.locator("summary").click()
    expect(source.locator("blockquote")).to_be_visible()

    ask(chat, "Kan jeg få snakke med en rådgiver?")
    expect(messages).to_contain_text("Saken din (nr.", timeout=TIMEOUT_MS)
    sender = page.evaluate("window.ropVeiviser.conversation()")
    [case] = [c for c in stack.api.get("/api/advisor/cases", headers=advisor).json() if c["sender"] == sender]
    reply = stack.api.post(
        f"/api/advisor/cases/{case['id']}/messages", json={"text": "Hei, dette ser jeg på."}, headers=advisor
    )
    assert reply.status_code == 200
    expect(messages).to_contain_text("Rådgiver: Hei, dette ser jeg på.", timeout=TIMEOUT_MS)  # live, no reload

    page.reload()
    chat = open_widget(page, stack)
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("Hvem har ansvaret for individuell plan?", timeout=TIMEOUT_MS)
    expect(messages).to_contain_text("Hei, dette ser jeg på.")
    assert page.evaluate("window.ropVeiviser.conversation()") == sender  # same conversation after the reload

    stack.api.post(f"/api/advisor/cases/{case['id']}/close", headers=advisor)
    expect(messages).to_contain_text("avsluttet saken", timeout=TIMEOUT_MS)
    ask(chat, "Hvem følger opp bolig?")
    expect(messages).to_contain_text("Kommunen", timeout=TIMEOUT_MS)
    page.close()


def test_quick_reply_buttons_send_their_payload(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    chat = open_widget(page, stack)
    ask(chat, "Hva blir været i Bergen i morgen?")
    button = chat.get_by_role("button", name="Snakk med en rådgiver")
    expect(button).to_be_visible(timeout=TIMEOUT_MS)
    button.click()
    expect(chat.locator("#messages")).to_contain_text("Saken din (nr.", timeout=TIMEOUT_MS)
    page.close()


def test_keyboard_opens_and_closes_the_widget_and_states_are_announced(browser: Browser, stack: Stack) -> None:
    page = browser.new_page()
    page.goto(str(stack.api.base_url) + "/")
    launcher = page.get_by_role("button", name="Spør ROP-veiviseren")
    expect(launcher).to_have_attribute("aria-expanded", "false")
    launcher.focus()
    page.keyboard.press("Enter")
    expect(launcher).to_have_attribute("aria-expanded", "true")
    expect(page.get_by_role("dialog", name="ROP-veiviser chat")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.get_by_role("dialog", name="ROP-veiviser chat")).to_be_hidden()
    expect(launcher).to_be_focused()
    page.close()


def test_on_a_phone_size_screen_the_chat_fills_the_screen(browser: Browser, stack: Stack) -> None:
    page = browser.new_page(viewport={"width": 375, "height": 667}, is_mobile=True, has_touch=True)
    chat = open_widget(page, stack)
    box = page.get_by_role("dialog", name="ROP-veiviser chat").bounding_box()
    assert box is not None and box["width"] == 375 and box["height"] == 667
    expect(chat.locator("#text-input")).to_be_in_viewport()
    page.close()
