"""The widget and the advisor console in real Chromium, served from api/static with the gateway's
answers stubbed (no stack): a quoted bullet passage is a real list, nothing in a message becomes
markup, and the console's log-in box goes away after logging in and comes back after log-out or
an expired session."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route, expect

from api.console import case_out
from api.routes.pages import STATIC_DIR
from contract.handoff import CRISIS
from store.models import Advisor, Case, Message
from tests.e2e.browser import TIMEOUT_MS, ask

pytestmark = pytest.mark.e2e
ORIGIN = "http://rop.test"
ITEMS = ["Kommunene bør tilstrebe fleksible botilbud", "Tilbud om oppfølging i bolig skal være tilgjengelig"]
PASSAGE = "\n".join(f"- {item}" for item in ITEMS)
QUOTE = f"Dette står i ROP-retningslinjen:\n«{PASSAGE}»\nKilde: ROP-retningslinjen, Bolig"
HOSTILE = '<img src=x onerror="window.hacked=1"> **fet** [lenke](https://example.org) &amp;'
FILES = {"/": "index.html", "/widget.js": "widget.js", "/advisor": "advisor.html"}
TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html"}


def _serve(page: Page, answers: dict[str, Any]) -> None:
    """api/static as the gateway serves it; `answers` maps an API path to its JSON body, or to
    an int: a status without a body."""

    def handle(route: Route) -> None:
        path = route.request.url.removeprefix(ORIGIN).split("?")[0]
        name = FILES.get(path) or (path.removeprefix("/static/") if path.startswith("/static/") else None)
        if name:
            file = STATIC_DIR / name
            route.fulfill(body=file.read_bytes(), content_type=TYPES[file.suffix] + "; charset=utf-8")
        elif path.endswith("/events"):
            route.fulfill(status=200, body="", content_type="text/event-stream")  # ends: the page reconnects
        elif isinstance(answers.get(path), int):
            route.fulfill(status=answers[path], body="")
        else:
            route.fulfill(status=200, json=answers.get(path, []))

    page.route(f"{ORIGIN}/**", handle)


def test_the_widget_shows_a_quoted_bullet_passage_as_a_list_and_no_markup_from_messages(browser: Browser) -> None:
    page = browser.new_page()
    source = {"id": "rop:bolig:1", "document": "ROP-retningslinjen", "title": "Bolig", "text": PASSAGE, "score": 1.0}
    _serve(
        page,
        {
            "/api/conversations": {"conversation_id": "c1", "token": "t1", "expires_at": 4102444800},
            "/api/chat": {"messages": [{"text": QUOTE, "sources": [source]}, {"text": HOSTILE}], "stored": "bolig?"},
        },
    )
    page.goto(f"{ORIGIN}/")
    page.get_by_role("button", name="Spør ROP-veiviseren").click()
    chat = page.locator("deep-chat")
    ask(chat, "Hvem følger opp bolig?")
    messages = chat.locator("#messages")
    expect(messages).to_contain_text("fet", timeout=TIMEOUT_MS)
    answer = messages.locator("ul").first.locator("li")
    expect(answer).to_have_text([f"«{ITEMS[0]}", f"{ITEMS[1]}»"])
    expect(messages).to_contain_text("Kilde: ROP-retningslinjen, Bolig")
    sources = chat.locator("details.rop-source")
    sources.locator("summary").click()
    expect(sources.locator("blockquote li")).to_have_text(ITEMS)
    expect(messages).to_contain_text('<img src=x onerror="window.hacked=1"> **fet** [lenke](https://example.org) &amp;')
    assert messages.locator("img, a").count() == 0
    assert messages.locator("strong").all_inner_texts() == ["Ved akutt fare: ring 113."]  # the greeting's own
    assert page.evaluate("window.hacked") is None
    page.close()


def _console_case(status: str = "waiting", advisor: Advisor | None = None) -> dict[str, Any]:
    """A case as GET /api/advisor/cases gives it: an emergency with a quote and a hostile line."""
    at = datetime.now(UTC) - timedelta(minutes=12)
    lines = [("worker", "Hvem har ansvaret for bolig?"), ("bot", QUOTE), ("worker", HOSTILE)]
    messages = [Message(id=n, role=role, text=text, at=at, advisor=None) for n, (role, text) in enumerate(lines)]
    case = Case(id=7, sender="w", channel="web", status=status, reason=CRISIS, created_at=at, advisor=advisor)
    case.messages = messages
    return case_out(case)


def test_the_console_lists_cases_in_norwegian_renders_quotes_as_lists_and_hides_the_login_when_logged_in(
    browser: Browser,
) -> None:
    page = browser.new_page()
    taken = _console_case("open", Advisor(id=1, name="kari"))
    answers: dict[str, Any] = {
        "/api/advisor/login": {"token": "s1", "expires_at": 4102444800, "name": "kari"},
        "/api/advisor/cases": [_console_case()],
        "/api/advisor/cases/7/take": taken,
        "/api/advisor/logout": 204,
    }
    _serve(page, answers)
    page.goto(f"{ORIGIN}/advisor")
    login = page.locator("#login")
    login.get_by_label("Navn").fill("kari")
    login.get_by_label("Passord").fill("hemmelig")
    login.get_by_role("button", name="Logg inn").click()
    expect(login).to_be_hidden()
    card = page.locator("#queue button")
    expect(card).to_contain_text("Akutt")
    expect(card).to_contain_text("Venter Sak 7 · Nett")
    expect(card).to_contain_text("«Hvem har ansvaret for bolig?»")
    expect(card).to_contain_text("venter i 12 min · ikke tatt")

    answers["/api/advisor/cases"] = [taken]
    card.click()
    expect(page.locator("#case-meta")).to_have_text("Åpen · Årsak: Akutt · Nett · tatt av kari")
    transcript = page.locator("#transcript")
    expect(transcript.locator("ul li")).to_have_text([f"«{ITEMS[0]}", f"{ITEMS[1]}»"])
    expect(transcript).to_contain_text(HOSTILE)
    assert transcript.locator("img, strong, a").count() == 0
    assert page.evaluate("window.hacked") is None
    body = page.locator("body").inner_text()
    assert not {"crisis", "waiting", "open", "asked", "web"} & set(body.replace("·", " ").split())

    page.get_by_role("button", name="Logg ut").click()
    expect(login).to_be_visible()
    expect(page.locator("#console")).to_be_hidden()
    login.get_by_label("Navn").fill("kari")
    login.get_by_label("Passord").fill("hemmelig")
    login.get_by_role("button", name="Logg inn").click()
    expect(login).to_be_hidden()
    answers["/api/advisor/cases"] = 401  # the session ran out: the console reloads the queue on reconnect
    expect(login).to_be_visible(timeout=TIMEOUT_MS)
    page.close()
