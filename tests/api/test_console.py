"""What an advisor reads in the queue: emergencies first, then the longest waiting; Norwegian
labels for every reason, status, channel and role; a short preview of the worker's question."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from api.console import CHANNEL_LABELS, PREVIEW_CHARS, REASON_LABELS, STATUS_LABELS, case_out, queue_order
from api.teams.bot import CHANNEL as TEAMS
from contract.handoff import ASKED, CRISIS, FALLBACK, REASONS
from store.cases import STATUSES
from store.models import Advisor, Case, Message

START = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _case(case_id: int, minutes: int, reason: str = ASKED, *lines: tuple[str, str], **fields: object) -> Case:
    """A case opened `minutes` after START with these transcript lines (role, text)."""
    messages = [
        Message(id=case_id * 100 + n, role=role, text=text, at=START, advisor=None)
        for n, (role, text) in enumerate(lines)
    ]
    values: dict[str, object] = {"sender": f"s{case_id}", "channel": "web", "status": "waiting", "advisor": None}
    values |= fields
    return Case(id=case_id, reason=reason, created_at=START + timedelta(minutes=minutes), messages=messages, **values)


def test_an_emergency_created_after_two_ordinary_cases_comes_first_then_the_oldest() -> None:
    newer, older = _case(1, 10), _case(2, 5, FALLBACK)
    emergency = _case(3, 20, CRISIS)
    assert [c.id for c in queue_order([newer, older, emergency])] == [3, 2, 1]


def test_two_emergencies_are_oldest_first_and_same_time_cases_keep_their_numbers() -> None:
    cases = [_case(4, 0), _case(3, 0), _case(2, 9, CRISIS), _case(1, 7, CRISIS)]
    assert [c.id for c in queue_order(cases)] == [1, 2, 3, 4]


def test_every_reason_status_and_channel_the_project_produces_has_a_norwegian_label() -> None:
    assert set(REASON_LABELS) == set(REASONS)
    assert set(STATUS_LABELS) == set(STATUSES)
    assert set(CHANNEL_LABELS) == {"web", TEAMS}
    for reason in REASONS:
        for status in STATUSES:
            for channel in CHANNEL_LABELS:
                out = case_out(_case(1, 0, reason, status=status, channel=channel))
                labels = {out["reason_label"], out["status_label"], out["channel_label"]}
                assert not labels & {reason, status, channel}, labels  # never the code itself


def test_a_case_says_in_norwegian_why_who_took_it_and_whether_it_began_as_an_emergency() -> None:
    kari = Advisor(id=7, name="kari")
    out = case_out(_case(1, 0, CRISIS, ("worker", "Hei"), ("advisor", "Hei!"), status="open", advisor=kari))
    assert (out["reason_label"], out["status_label"], out["channel_label"]) == ("Akutt", "Åpen", "Nett")
    assert out["urgent"] is True and out["advisor"] == "kari"
    assert [m["role_label"] for m in out["messages"]] == ["Bruker", "Rådgiver"]
    waiting = case_out(_case(2, 0, ASKED, channel=TEAMS))
    assert waiting["urgent"] is False and waiting["advisor"] is None
    assert (waiting["reason_label"], waiting["status_label"], waiting["channel_label"]) == (
        "Ba om rådgiver",
        "Venter",
        "Teams",
    )


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ([("bot", "Hei!"), ("worker", "Hvem har ansvaret for [navn] sin IP?")], "Hvem har ansvaret for [navn] sin IP?"),
        ([("worker", "[startet samtalen]"), ("worker", "Trenger  hjelp\nmed bolig")], "Trenger hjelp med bolig"),
        ([("worker", "[ba om en rådgiver]"), ("bot", "Jeg setter deg over.")], ""),
    ],
)
def test_the_preview_is_the_workers_first_own_words(lines: list[tuple[str, str]], expected: str) -> None:
    assert case_out(_case(1, 0, ASKED, *lines))["preview"] == expected


def test_a_long_question_is_cut_at_a_word_with_an_ellipsis() -> None:
    question = "Hvem skal koordinere oppfølgingen når " + "kommunen og spesialisthelsetjenesten " * 8 + "er uenige?"
    shown = case_out(_case(1, 0, ASKED, ("worker", question)))["preview"]
    assert shown.endswith(" …") and len(shown) <= PREVIEW_CHARS + 2
    assert question.startswith(shown.removesuffix(" …")) and question[len(shown) - 2] == " "
