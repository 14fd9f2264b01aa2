"""Ordinary messages that carry the words of an emergency must not get the emergency reply: a
clinical or dosing question, a case note whose personal data the gateway has masked, a past
overdose. The same words about danger now still get it. Pairs differ only in what must not matter.
Written for these tests; none is in knowledge/crisis."""

from __future__ import annotations

import pytest

from api.privacy import BIRTH_DATE, FNR, NAME, PHONE
from knowledge.crisis_model import create_safety_rules
from knowledge.safety import SafetyRules
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def safety() -> SafetyRules:
    return create_safety_rules(KnowledgeSettings())


CLINICAL = [
    "hva er vanlig dose sobril ved abstinens hos en som drikker mye?",
    "kan jeg gi paracet til en som har tatt metadon i mange år?",
    "kan ein gje sovetablettar til ein som står på LAR?",
    "hvor mye nalokson skal man gi ved mistanke om overdose?",
    "ka e maksdosen av quetiapin for ei eldre dame",
]


@pytest.mark.parametrize("question", CLINICAL)
def test_a_clinical_question_never_gets_the_emergency_reply(safety: SafetyRules, question: str) -> None:
    assert not safety.verdict(question).certain
    assert not safety.verdict(question.replace("en som", "ei som").replace("ein som", "ho som")).certain


@pytest.mark.parametrize(
    "note",
    [
        f"han heter {NAME}, fnr {FNR}, og trenger hjelp med husleia",
        f"hun heter {NAME}, fnr {FNR}, og trenger hjelp med husleia",
        f"{NAME} ({FNR}), tlf {PHONE}, har ruset seg i mange år. Hvem følger opp?",
        f"ho heiter {NAME}, fødd {BIRTH_DATE}, og har ikkje møtt til timen",
        f"saken gjelder {NAME}, {FNR}. Han vil ha IP.",
    ],
)
def test_a_masked_case_note_never_gets_the_emergency_reply(safety: SafetyRules, note: str) -> None:
    assert not safety.verdict(note).certain


@pytest.mark.parametrize(
    "emergency",
    [
        f"{NAME} ({FNR}) har tatt alle pillene sine og vi får ikke kontakt med ham",
        f"hun heter {NAME} og har nettopp tatt en overdose heroin, hun puster nesten ikke",
        "hva gjør jeg, hun har tatt 40 paracet og kaster opp nå",
        f"{NAME} ringte fra {PHONE} og sier han skal ta livet sitt i kveld",
    ],
)
def test_the_same_words_about_danger_now_get_the_emergency_reply(safety: SafetyRules, emergency: str) -> None:
    assert safety.verdict(emergency).certain


@pytest.mark.parametrize(
    ("past", "now"),
    [
        (
            "han tok en overdose for tre år siden og er nå stabil",
            "han tok en overdose for en time siden og er helt slapp",
        ),
        ("hun er ikke psykotisk nå, men var innlagt i vår", "hun er psykotisk nå og har låst seg inne"),
    ],
)
def test_a_past_event_is_no_emergency_but_the_same_event_now_is(safety: SafetyRules, past: str, now: str) -> None:
    assert not safety.verdict(past).certain
    assert safety.verdict(now).certain


@pytest.mark.parametrize("medicine", ["Ritalin", "paracet", "Seroquel", "sovetabletter", "Lyrica"])
def test_a_question_about_a_named_medicine_is_clinical(safety: SafetyRules, medicine: str) -> None:
    assert safety.clinical(f"kan jeg gi {medicine} til en som ruser seg?")
    assert not safety.clinical("kan jeg gi tilbud om bolig til en som ruser seg?")
