"""Debian's Chromium driven by Playwright, and the steps a worker takes in the widget."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from devstack.stack import Stack

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TIMEOUT_MS = 20_000


def launch() -> Iterator[Browser]:
    """A headless Chromium for as long as the caller's fixture lives."""
    if CHROMIUM is None:
        pytest.fail("Chromium is not installed (Debian: apt-get install chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


def open_widget(page: Page, stack: Stack) -> Locator:
    """Load the chat page and open the widget; returns the deep-chat element."""
    page.goto(str(stack.api.base_url) + "/")
    page.get_by_role("button", name="Spør ROP-veiviseren").click()
    chat = page.locator("deep-chat")
    expect(chat.locator("#text-input")).to_be_visible(timeout=TIMEOUT_MS)
    return chat


def ask(chat: Locator, text: str) -> None:
    """Type a message and press Enter, as a worker does."""
    field = chat.locator("#text-input")
    field.click()
    field.type(text)
    field.press("Enter")
