"""Emergencies are recognised in any phrasing; ordinary talk about hard subjects is not an alarm."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.crisis_model import create_safety_rules
from knowledge.safety import SafetyRules, load_safety_rules
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def safety() -> SafetyRules:
    """The rules as the services use them: patterns plus the fitted classifier."""
    return create_safety_rules(KnowledgeSettings())


@pytest.fixture(scope="module")
def patterns_only() -> SafetyRules:
    """The rules without the classifier (as a process without scikit-learn would have them)."""
    return load_safety_rules(KnowledgeSettings().safety_file)


# Written for these tests; none of them is in the classifier's training files.
CRISES = [
    ("Han sier han skal ta livet sitt i kveld.", "suicide"),
    ("ho vil ikkje leva meir og har skrive eit avskjedsbrev", "suicide"),
    ("Brukeren min står på brua nå og svarer ikke.", "suicide"),
    ("hun har kuttet seg opp i armene og det blør mye", "self_harm"),
    ("Han har tatt en overdose og puster nesten ikke.", "overdose"),
    ("kompisen min e blå i leppene etter heroin, vi får han ikkje vekk", "overdose"),
    ("han truer med å stikke naboen med kniv", "violence"),
    ("Sambuaren slår henne no, eg høyrer det gjennom veggen", "violence"),
    ("Han hører stemmer som sier han må skade moren sin.", "psychosis"),
    ("Ungen på tre er alene hjemme med en far som er helt ruset.", "child_danger"),
    ("Har et spørsmål om IP, men akkurat nå sier brukeren at han har samlet piller og skal ta dem i natt.", None),
    ("pasienten sier hun skal ta selvmor i kveld, hva gjør jeg", None),
]

ORDINARY = [
    "Hvem lager kriseplanen?",
    "selvmordsforebygging i kommunen, hvem har ansvaret?",
    "Hva sier veilederen om oppfølging etter en overdose for to år siden?",
    "Kurs i vold og trusler for nyansatte neste uke.",
    "Ho var psykotisk i fjor, men er stabil no og har byrja i jobb.",
    "Han kuttet seg som tenåring, men har ikke gjort det på ti år.",
    "Barn som pårørende – hvem kartlegger?",
    "Hvem har ansvaret for individuell plan?",
    "Kven har ansvar for bustad?",
    "Psykoseteam i DPS, hvem kan henvise?",
]


@pytest.mark.parametrize(("message", "kind"), CRISES)
def test_emergency_in_any_phrasing_is_recognised(safety: SafetyRules, message: str, kind: str | None) -> None:
    crisis = safety.crisis(message)
    assert crisis is not None, message
    if kind:
        assert crisis.kind == kind


@pytest.mark.parametrize("message", ORDINARY)
def test_hard_words_about_plans_prevention_or_the_past_are_not_an_alarm(safety: SafetyRules, message: str) -> None:
    assert safety.crisis(message) is None


@pytest.mark.parametrize(
    "message",
    [
        "Jeg vil snakke med en rådgiver",
        "jeg vil snakke med et menneske",
        "eg vil snakke med nokon",
        "jeg vil avslutte nå",
    ],
)
def test_asking_for_a_person_or_leaving_the_chat_is_not_an_emergency(safety: SafetyRules, message: str) -> None:
    """Once, "jeg vil snakke med ..." got the emergency reply instead of an advisor."""
    assert safety.crisis(message) is None


@pytest.mark.parametrize(
    "message",
    ["Han har tatt en overdose.", "hun har tatt en overdose, hun gjorde det også for to år siden", "han kuttar seg no"],
)
def test_acute_patterns_alone_catch_the_plain_cases(patterns_only: SafetyRules, message: str) -> None:
    """An acute event in one sentence is not hidden by a past one in another."""
    assert patterns_only.crisis(message) is not None


def test_typed_without_norwegian_letters_is_still_recognised(patterns_only: SafetyRules) -> None:
    assert patterns_only.crisis("hun har tatt en overdose og er blaa i leppene") is not None
    assert patterns_only.crisis("han puster ikke og vaakner ikke") is not None


def test_emergency_message_gives_113_and_legevakt(safety: SafetyRules) -> None:
    assert "113" in safety.message and "116 117" in safety.message and "alene" in safety.message


@pytest.mark.parametrize(
    "message", ["Hvor mye metadon skal han ha?", "Hvordan trappe ned Sobril?", "Har han schizofreni, tror du?"]
)
def test_dosing_and_diagnosing_a_person_is_clinical(safety: SafetyRules, message: str) -> None:
    assert safety.clinical(message)


def test_broken_pattern_is_reported_with_where_it_is(tmp_path: Path) -> None:
    path = tmp_path / "safety.yml"
    text = KnowledgeSettings().safety_file.read_text(encoding="utf-8")
    path.write_text(text.replace("'avskjedsbrev|", "'avskjedsbrev(|", 1), encoding="utf-8")
    with pytest.raises(ValueError, match=r"suicide\.acute: bad pattern"):
        load_safety_rules(path)
