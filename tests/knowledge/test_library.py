"""A larger library: passages from a folder beside the guidelines, BM25 postings and the lexicon
stored with the index, and an index that no longer matches is still refused."""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import pytest

from knowledge.assemble import assemble
from knowledge.bm25 import BM25
from knowledge.build import build
from knowledge.encoder import Encoder
from knowledge.index import MANIFEST, StaleIndexError, check_index, load_index
from knowledge.lexical import LEXICON
from knowledge.lexicon import Lexicon
from knowledge.loaders import EMBEDDINGS_FILE, load_semantic_encoder
from knowledge.ranking import top
from knowledge.settings import KnowledgeSettings
from knowledge.text import Normaliser

LIBRARY_TEXT = """---
id: kommune-x
title: "Lokale rutiner i kommune X"
short_title: "Rutiner X"
---
# Lokale rutiner i kommune X

## Parkering

Ansatte parkerer i garasjen under rådhuset, og gjester får parkeringskort i resepsjonen.

## Kantine

Kantinen serverer varm lunsj hver dag mellom klokken elleve og ett.
"""


def _full_scan(documents: list[list[str]], query: list[str], k1: float = 1.5, b: float = 0.75) -> list[float]:
    """Okapi BM25 of every document, term by term, as the engine scored before it had postings."""
    n, average = len(documents), sum(map(len, documents)) / len(documents)
    scores = []
    for doc in documents:
        score = 0.0
        for term in set(query):
            df = sum(term in d for d in documents)
            if df:
                tf = doc.count(term)
                score += (
                    math.log(1 + (n - df + 0.5) / (df + 0.5))
                    * tf
                    * (k1 + 1)
                    / (tf + k1 * (1 - b + b * len(doc) / average))
                )
        scores.append(score)
    return scores


DOCUMENTS = [["ansvar", "kommun", "ip"], ["ip", "ip", "koordinator", "plan"], [], ["bolig", "ansvar", "bolig"]]


@pytest.mark.parametrize("query", [["ip"], ["ansvar", "ip", "ukjent"], ["bolig", "bolig"], ["ukjent"], []])
def test_postings_score_every_document_as_a_full_scan_does(query: list[str]) -> None:
    np.testing.assert_allclose(BM25(DOCUMENTS).scores(query), _full_scan(DOCUMENTS, query), rtol=1e-12, atol=0)


def test_postings_and_lexicon_read_back_as_they_were_saved(tmp_path: Path) -> None:
    bm25 = BM25(DOCUMENTS)
    bm25.save(tmp_path / "bm25.npz")
    loaded = BM25.load(tmp_path / "bm25.npz")
    assert loaded.idf == bm25.idf and loaded.unknown_idf == bm25.unknown_idf and loaded.size == 4
    assert loaded.scores(["ansvar", "ip"]).tolist() == bm25.scores(["ansvar", "ip"]).tolist()
    assert loaded.contains(1, "koordinator") and not loaded.contains(0, "koordinator")
    assert not loaded.contains(2, "ip") and not loaded.contains(0, "ukjent")
    stem = Normaliser({}).stem
    lexicon = Lexicon(["koordinator", "kommune", "kommune", "kommunen", "bolig", "oppfølging"], stem)
    lexicon.save(tmp_path / "lexicon.npz")
    again = Lexicon.load(tmp_path / "lexicon.npz", stem)
    assert again.words == lexicon.words and again.stems == lexicon.stems
    for typed in ("kordinator", "kommunne", "boliig", "fotball"):
        assert again.correct(typed) == lexicon.correct(typed)
    assert again.correct("kommunne") == "kommune"  # the more frequent of two at distance 1
    assert again.split("boligoppfølging") == ("bolig", "oppfølging")


def test_the_best_passages_come_in_the_order_of_a_full_stable_sort_ties_included() -> None:
    scores = np.array([0.5, 0.9, 0.5, 0.1, 0.9, 0.5, -1.0, 0.5])
    for k in range(1, len(scores) + 2):
        assert top(scores, k).tolist() == np.argsort(-scores, kind="stable")[:k].tolist()


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory, encoder: Encoder) -> KnowledgeSettings:
    """The guidelines and a municipality's folder of routines, indexed with e5 (its cache a copy,
    so the developer's var/ is never written)."""
    root = tmp_path_factory.mktemp("library")
    defaults = KnowledgeSettings()
    shutil.copytree(defaults.sources_dir, root / "sources")
    (root / "routines").mkdir()
    (root / "routines" / "kommune-x.md").write_text(LIBRARY_TEXT, encoding="utf-8")
    (root / "cache").mkdir()
    if (defaults.semantic_cache_dir / EMBEDDINGS_FILE).exists():
        shutil.copy(defaults.semantic_cache_dir / EMBEDDINGS_FILE, root / "cache" / EMBEDDINGS_FILE)
    settings = KnowledgeSettings(
        sources_dir=root / "sources",
        extra_sources_dirs=(root / "routines",),
        index_dir=root / "index",
        semantic_cache_dir=root / "cache",
    )
    build(settings, encoder, load_semantic_encoder(settings).encoder)
    return settings


def test_a_folder_beside_the_guidelines_is_indexed_and_guideline_answers_stay(library: KnowledgeSettings) -> None:
    index = load_index(library)
    ids = [p.id for p in index.passages]
    assert ids[-2:] == ["kommune-x:parkering:1", "kommune-x:kantine:1"]
    assert index.manifest["passages"] == len(ids)
    # e5 reads only passages that have worker questions: the routines have none
    assert index.semantic is not None and len(index.semantic.passages) == len(ids) - 2
    engine = assemble(library).knowledge
    assert engine is not None and engine.semantic
    answer = engine.ask("Hvem har ansvaret for individuell plan?")
    assert not answer.out_of_scope and answer.sources[0].id.startswith(("rop:", "sm:"))


def test_an_edit_in_the_extra_folder_makes_the_index_stale(library: KnowledgeSettings) -> None:
    path = library.extra_sources_dirs[0] / "kommune-x.md"
    path.write_text(LIBRARY_TEXT.replace("elleve", "tolv"), encoding="utf-8")
    try:
        with pytest.raises(StaleIndexError, match="sources"):
            check_index(library)
    finally:
        path.write_text(LIBRARY_TEXT, encoding="utf-8")
    check_index(library)
    added = library.extra_sources_dirs[0] / "kommune-y.md"
    added.write_text(LIBRARY_TEXT.replace("kommune-x", "kommune-y"), encoding="utf-8")
    try:
        with pytest.raises(StaleIndexError, match="sources"):
            check_index(library)
    finally:
        added.unlink()


def _copy(settings: KnowledgeSettings, tmp_path: Path) -> KnowledgeSettings:
    shutil.copytree(settings.index_dir, tmp_path / "index")
    return settings.model_copy(update={"index_dir": tmp_path / "index"})


def test_an_index_of_the_previous_format_is_stale(library: KnowledgeSettings, tmp_path: Path) -> None:
    """An index built before the lexicon was stored has none: it must be rebuilt, not half-served."""
    copy = _copy(library, tmp_path)
    manifest = json.loads((copy.index_dir / MANIFEST).read_text())
    (copy.index_dir / MANIFEST).write_text(json.dumps(manifest | {"format": 3}))
    with pytest.raises(StaleIndexError, match="format"):
        load_index(copy)
    assert "make index" in str(assemble(copy).knowledge_error)


def test_an_index_without_its_lexicon_is_not_served(library: KnowledgeSettings, tmp_path: Path) -> None:
    copy = _copy(library, tmp_path)
    (copy.index_dir / LEXICON).unlink()
    with pytest.raises(StaleIndexError, match="make index"):
        load_index(copy)
