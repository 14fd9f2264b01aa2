"""Norwegian normalisation makes inflections, abbreviations and nynorsk question words meet,
the same way in every request thread."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

from knowledge.settings import KnowledgeSettings
from knowledge.text import Normaliser, load_synonyms


def _normaliser() -> Normaliser:
    return Normaliser(load_synonyms(KnowledgeSettings().synonyms_file))


def test_inflected_forms_share_a_term() -> None:
    n = _normaliser()
    assert n.terms("kommunen")[0] == n.terms("kommunene")[0] == n.terms("kommune")[0]
    assert n.terms("boliger") == n.terms("bolig")


def test_abbreviation_expands_to_its_words() -> None:
    n = _normaliser()
    assert set(n.terms("individuell plan")) <= set(n.terms("IP"))


def test_question_words_in_bokmal_and_nynorsk_are_dropped() -> None:
    n = _normaliser()
    assert n.terms("Kven har ansvaret for bolig?") == n.terms("Hvem har ansvaret for bolig?") == n.terms("ansvar bolig")


def test_english_small_words_mixed_in_are_dropped_but_it_stays() -> None:
    """'what does that even mean' says nothing about the topic; 'IT' in 'IT-systemet' does."""
    n = _normaliser()
    assert n.terms("what does that even mean, ansvarsgruppe i praksis") == n.terms("ansvarsgruppe i praksis")
    assert "it" in n.terms("hvem har ansvaret for IT-systemet")


def test_workers_abbreviations_expand() -> None:
    n = _normaliser()
    assert set(n.terms("spesialisthelsetjenesten")) <= set(n.terms("SHT"))
    assert set(n.terms("kriseplan")) <= set(n.terms("KP"))


def test_hyphenated_compounds_are_split() -> None:
    assert "lid" in _normaliser().terms("ROP-lidelser")


def test_stems_stay_right_when_threads_stem_at_once() -> None:
    n = _normaliser()
    words = [letter * 3000 + "ene" for letter in "abdefgik"]
    expected = [n.stem(word) for word in words]
    start = threading.Barrier(len(words))

    def stems(word: str) -> list[str]:
        start.wait()
        return [n.stem(word) for _ in range(20)]

    with ThreadPoolExecutor(len(words)) as pool:
        assert list(pool.map(stems, words)) == [[stem] * 20 for stem in expected]
