"""The bench's distractor library: the same paragraphs every run, each one passage, never in
the shipped sources (a tiny NoReC-like gzip here; ../shared is not read by tests)."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from knowledge.documents import load_sources
from knowledge.settings import KnowledgeSettings
from scripts.bench_library import PER_REVIEW, distractors, write_sources

LONG = "Denne setningen er lang nok til å telle som et avsnitt i biblioteket, med mange ord i seg."


def _corpus(path: Path) -> Path:
    """Three reviews: title and lead, then paragraphs of one or two sentence lines."""
    reviews = [
        ["Penny Dreadful S02 E01\nEn god fortsettelse.", f"{LONG}\n{LONG}", "For kort.", f"- {LONG}", LONG],
        ["# Pizza i Bergen\nGod pizza.", *[f"Avsnitt {n}. {LONG}" for n in range(PER_REVIEW + 2)]],
        ["Siste anmeldelse\nIngress.", f"Slutten. {LONG}"],
    ]
    text = "".join(f"### {n:06d}\n" + "\n\n".join(paragraphs) + "\n\n" for n, paragraphs in enumerate(reviews))
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    return path


def test_paragraphs_are_taken_in_order_with_their_titles_and_sentences_joined(tmp_path: Path) -> None:
    reviews = distractors(_corpus(tmp_path / "norec.txt.gz"), 4)
    assert [r.title for r in reviews] == ["Penny Dreadful S02 E01", "Pizza i Bergen"]
    # the lead, a short paragraph and one Markdown would read as a list item are left out
    assert reviews[0].paragraphs == (f"{LONG} {LONG}", LONG)
    assert reviews[1].paragraphs == (f"Avsnitt 0. {LONG}", f"Avsnitt 1. {LONG}")
    assert distractors(tmp_path / "norec.txt.gz", 4) == reviews


def test_at_most_a_few_paragraphs_come_from_one_review(tmp_path: Path) -> None:
    reviews = distractors(_corpus(tmp_path / "norec.txt.gz"), 2 + PER_REVIEW + 1)
    assert [len(r.paragraphs) for r in reviews] == [2, PER_REVIEW, 1]
    assert reviews[-1].paragraphs == (f"Slutten. {LONG}",)


def test_a_corpus_too_small_stops_with_a_message(tmp_path: Path) -> None:
    with pytest.raises(SystemExit, match="only 7 usable paragraphs"):
        distractors(_corpus(tmp_path / "norec.txt.gz"), 100)


def test_every_paragraph_becomes_one_passage_beside_the_guidelines(tmp_path: Path) -> None:
    reviews = distractors(_corpus(tmp_path / "norec.txt.gz"), 7)
    folder = tmp_path / "library"
    (folder).mkdir()
    (folder / "stale.md").write_text("left from an earlier run", encoding="utf-8")
    files = write_sources(reviews, folder)
    assert sorted(folder.glob("*.md")) == files
    guidelines = load_sources(KnowledgeSettings().sources_dir)[1]
    _, passages = load_sources(KnowledgeSettings().sources_dir, folder)
    extra = passages[len(guidelines) :]
    assert [p.text for p in extra] == [text for r in reviews for text in r.paragraphs]
    assert extra[0].section == "Penny Dreadful S02 E01" and extra[0].document_id == "norec-001"
