"""Which written standard a worker writes: nynorsk is recognised from its own words, and bokmål,
dialect spellings, English and short replies are not taken for it."""

from __future__ import annotations

import pytest

from contract.language import as_language, deployment_language, follow, written_standard


@pytest.mark.parametrize(
    "text",
    [
        "Kven har ansvaret for individuell plan?",
        "Korleis kan eg få hjelp frå DPS?",
        "Eg har ein brukar som ikkje får bustad",
        "Kva gjer kommunen når nokon treng meir oppfølging?",
        "ho drikk mykje og kjem ikkje på timane",
        "ikkje",
    ],
)
def test_nynorsk_is_recognised(text: str) -> None:
    assert written_standard(text) == "nn"


@pytest.mark.parametrize(
    "text",
    [
        "Hvem har ansvaret for individuell plan?",
        "Hvordan kan jeg få hjelp fra DPS?",
        "Jeg har en bruker som ikke får bolig",
        "ka e det som skjer med ho?, ikke lett",  # speech-like bokmål with dialect spellings
        "æ vet ikke ka vi ska gjør",
    ],
)
def test_bokmal_and_dialect_are_not_taken_for_nynorsk(text: str) -> None:
    assert written_standard(text) == "nb"


@pytest.mark.parametrize(
    "text",
    ["ja", "og DPS?", "takk", "individuell plan", "ka e greia", "Who is responsible for housing?", "IP", "dei"],
)
def test_short_neutral_dialect_and_english_text_decides_nothing(text: str) -> None:
    assert written_standard(text) is None


def test_a_conversation_keeps_nynorsk_until_clear_bokmal() -> None:
    language = follow("nb", "Kven har ansvaret for bustad?")
    assert language == "nn"
    for neutral in ("og DPS?", "ja", "takk", "Who decides?"):
        language = follow(language, neutral)
        assert language == "nn"
    assert follow(language, "Hvem har ansvaret for bolig?") == "nb"


def test_only_the_two_standards_are_languages() -> None:
    assert [as_language(v) for v in ("nb", "nn", "en", None, 1)] == ["nb", "nn", None, None, None]


@pytest.mark.parametrize(
    ("value", "language"),
    [
        ("nn", "nn"),
        ("nb", "nb"),
        ("NN", "nn"),
        ("nn_NO:nb", "nn"),
        ("nb_NO.UTF-8", "nb"),
        ("en_US:en", "nb"),
        ("", "nb"),
    ],
)
def test_the_setting_takes_a_gettext_locale_list_too(value: str, language: str) -> None:
    """LANGUAGE is also gettext's variable: a desktop locale list must not stop the service."""
    assert deployment_language(value) == language
