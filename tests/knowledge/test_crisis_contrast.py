"""What must not matter to the crisis verdict does not: pronoun, age, name, dialect spelling.

Minimal pairs written for these tests (none is in knowledge/crisis): each pair differs only in
something that says nothing about danger, and both get the same tier. Fragments and ordinary
person facts, in any spelling, never get the emergency reply; a past event is not an emergency now.
"""

from __future__ import annotations

import pytest

from knowledge.crisis_model import create_safety_rules
from knowledge.safety import SafetyRules
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def safety() -> SafetyRules:
    return create_safety_rules(KnowledgeSettings())


PAIRS = [
    ("han er 37 år", "hun er 37 år"),
    ("han er 37 år", "ho er 37 år"),
    ("hen er 29", "vedkommende er 29"),
    ("han heter [navn] og trenger bolig", "hun heter [navn] og trenger bolig"),
    ("brukeren er 51 år og har fnr [fødselsnummer]", "brukeren er 24 år og har fnr [fødselsnummer]"),
    ("han drikker hver helg, hvem følger opp?", "hun drikker hver helg, hvem følger opp?"),
    ("han har tatt en overdose og puster dårlig nå", "hun har tatt en overdose og puster dårlig nå"),
    ("han sier han skal henge seg i natt", "ho seier ho skal henge seg i natt"),
]

FRAGMENTS = [
    "han",
    "hun",
    "ho",
    "hen",
    "han er 58",
    "ho e 71 år",
    "brukeren min",
    "han heter [navn]",
    "han bur åleine i ei hytte",
    "ho bor alene i en hytte",
]


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_minimal_pair_gets_the_same_verdict(safety: SafetyRules, first: str, second: str) -> None:
    assert safety.verdict(first).tier == safety.verdict(second).tier, (first, second)


@pytest.mark.parametrize("fragment", FRAGMENTS)
def test_fragment_never_gets_the_emergency_reply(safety: SafetyRules, fragment: str) -> None:
    assert not safety.verdict(fragment).certain


def test_past_attempt_is_not_an_emergency_but_the_same_act_now_is(safety: SafetyRules) -> None:
    assert not safety.verdict("hun forsøkte å ta livet sitt for fire år siden, hvem har oppfølgingen?").certain
    assert safety.verdict("hun prøver å ta livet sitt nå, hun står på brua").certain


def test_planning_talk_is_not_an_emergency(safety: SafetyRules) -> None:
    assert safety.verdict("vi skal sette opp kriseplan for han på torsdag").tier == "none"


def test_without_the_semantic_model_emergencies_are_still_caught_and_fragments_are_not() -> None:
    ngrams_only = create_safety_rules(KnowledgeSettings(semantic_encoder="off"))
    assert ngrams_only.verdict("ho seier ho skal henge seg i natt").certain
    assert not ngrams_only.verdict("han er 58").certain


@pytest.mark.parametrize(
    "stable_now",
    [
        "Han tok en overdose to ganger for tre år siden, men er rusfri nå. Hvem skal være med i ansvarsgruppa?",
        "Han tok en overdose to ganger for tre år siden, men nå er han rusfri. Hvem skal være med i ansvarsgruppa?",
        "Ho prøvde å ta livet sitt for seks år sidan og har vore stabil lenge no. Kan DPS avslutte?",
    ],
)
def test_a_past_event_with_a_stable_now_is_not_an_emergency(safety: SafetyRules, stable_now: str) -> None:
    """'stabil nå' and 'nå er han rusfri' describe today's calm, not something happening now."""
    assert not safety.verdict(stable_now).certain


def test_the_same_past_event_with_a_new_one_now_is_an_emergency(safety: SafetyRules) -> None:
    assert safety.verdict("Han tok en overdose for tre år siden, og nå har han tatt en ny og puster dårlig.").certain


@pytest.mark.parametrize(
    ("voices", "commanding_voices"),
    [
        (
            "Han hører stemmer av og til når han har røykt hasj, skal han til DPS eller TSB?",
            "Han hører stemmer som sier at han må skade naboen, og han har røykt hasj.",
        ),
        (
            "Ho høyrer stemmer innimellom og drikk i helgane, kven følgjer opp?",
            "Ho høyrer stemmer som seier at ho må drepe seg, og ho drikk i helgane.",
        ),
    ],
)
def test_hearing_voices_alone_is_not_the_emergency_reply_but_voices_that_command_harm_are(
    safety: SafetyRules, voices: str, commanding_voices: str
) -> None:
    """Many with a psychotic disorder hear voices for years; voices that order harm are acute."""
    assert not safety.verdict(voices).certain
    assert safety.verdict(commanding_voices).certain


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("han hører stemmer innimellom, hvem følger opp?", "hun hører stemmer innimellom, hvem følger opp?"),
        ("han hører stemmer innimellom, hvem følger opp?", "han høyrer stemmar innimellom, kven følgjer opp?"),
        ("hun hører stemmer som sier hun må skade seg", "han hører stemmer som sier han må skade seg"),
    ],
)
def test_voices_pairs_differing_in_pronoun_or_spelling_get_the_same_verdict(
    safety: SafetyRules, first: str, second: str
) -> None:
    assert safety.verdict(first).tier == safety.verdict(second).tier, (first, second)
