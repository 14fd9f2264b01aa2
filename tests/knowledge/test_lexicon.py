"""Typos and compounds are repaired towards words the guidelines actually use."""

from __future__ import annotations

import pytest

from knowledge.lexicon import Lexicon, edit_distance
from knowledge.text import Normaliser


@pytest.fixture(scope="module")
def lexicon() -> Lexicon:
    words = [
        "koordinator",
        "individuell",
        "individual",
        "spesialisthelsetjenesten",
        "kommune",
        "bolig",
        "oppfølging",
        "behandling",
        "rus",
    ]
    return Lexicon(words + ["individuell"], Normaliser({}).stem)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("kordinator", "koordinator"),
        ("spesialishelsetjenesten", "spesialisthelsetjenesten"),
        ("kommunne", "kommune"),
        ("individuel", "individuell"),  # two candidates at distance 1: the more frequent wins
    ],
)
def test_misspellings_are_corrected_to_a_known_word(lexicon: Lexicon, typed: str, meant: str) -> None:
    assert lexicon.correct(typed) == meant


def test_short_and_unrelated_words_are_left_alone(lexicon: Lexicon) -> None:
    assert lexicon.correct("rsu") is None  # too short to guess
    assert lexicon.correct("fotball") is None


def test_compounds_split_into_known_parts_but_not_into_endings(lexicon: Lexicon) -> None:
    assert lexicon.split("boligoppfølging") == ("bolig", "oppfølging")
    assert lexicon.split("rusbehandlingen") == ("rus", "behandlingen")
    assert lexicon.split("boliging") is None


def test_transposed_letters_count_as_one_edit() -> None:
    assert edit_distance("kommuen", "kommune") == 1
