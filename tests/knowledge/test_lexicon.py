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


@pytest.mark.parametrize(
    ("typed", "meant"), [("oppfoelging", "oppfølging"), ("foelger", "følger"), ("baerum", "bærum")]
)
def test_words_typed_without_norwegian_letters_are_read_with_them(typed: str, meant: str) -> None:
    """A keyboard without æ/ø/å: "oe" is too far from "ø" for the edit distance on short words."""
    lexicon = Lexicon(["oppfølging", "følger", "bærum"], Normaliser({}).stem)
    assert lexicon.correct(typed) == meant


def test_workers_words_repair_typos_the_guidelines_words_cannot() -> None:
    """The texts say "kriseplaner"; a worker's "kriseplaan" means "kriseplan", which only
    workers' questions contain. The guidelines' own words still win when both are close."""
    stem = Normaliser({}).stem
    lexicon = Lexicon(["kriseplaner", "koordinator"], stem, fallback=Lexicon(["kriseplan", "kordinatoren"], stem))
    assert lexicon.correct("kriseplaan") == "kriseplan"
    assert lexicon.correct("kordinator") == "koordinator"
    assert lexicon.repair("fotball") == "fotball"
    assert "kriseplan" not in lexicon.words  # a worker's word is a repair target, not a guideline word
