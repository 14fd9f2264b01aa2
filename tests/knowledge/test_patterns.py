"""Content owners' patterns: matched from word starts, typed without æøå understood, mistakes reported."""

from __future__ import annotations

from knowledge.patterns import compile_patterns, first_match, readings


def test_pattern_matches_only_from_the_start_of_a_word() -> None:
    [pattern] = compile_patterns(["en barn"], "children", [])
    assert first_match([pattern], readings("Hun har en barn")) == "en barn"
    assert first_match([pattern], readings("Hun har ingen barn")) == ""


def test_text_typed_without_norwegian_letters_is_also_read_with_them() -> None:
    assert readings("Han FOELER  seg daarlig") == ("han foeler seg daarlig", "han føler seg dårlig")
    assert readings("noe") == ("noe", "nø")  # "noe" is a word too: the typed reading is kept first


def test_broken_or_match_everything_patterns_are_reported_not_used() -> None:
    problems: list[str] = []
    compiled = compile_patterns(["gjeld\\w*|", "(uavsluttet", "bolig"], "money", problems)
    assert len(compiled) == 1
    assert any("matches any text" in p for p in problems) and any("bad pattern" in p for p in problems)
