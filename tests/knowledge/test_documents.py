"""Passages carry document, section and a stable id, so every answer can be cited."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.documents import load_document, load_sources
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def passages() -> list:
    return load_sources(KnowledgeSettings().sources_dir)[1]


def test_both_guidelines_are_loaded_with_titles() -> None:
    documents, _ = load_sources(KnowledgeSettings().sources_dir)
    assert {d.short_title for d in documents} == {"ROP-retningslinjen", "Sammen om mestring"}


def test_passage_ids_are_unique_and_readable(passages: list) -> None:
    ids = [p.id for p in passages]
    assert len(ids) == len(set(ids))
    assert "sm:hva-er-kommunens-ansvar:1" in ids


def test_koordinator_passage_keeps_its_section_and_wording(passages: list) -> None:
    matches = [p for p in passages if "ligger i kommunen hos koordinator" in p.text]
    assert len(matches) == 1
    assert matches[0].section == "God samhandling"
    assert matches[0].document == "ROP-retningslinjen"
    assert "IP blir i økende grad kommunenes ansvar" in matches[0].text


def test_hovedforlop_items_are_separate_passages_with_their_lead(passages: list) -> None:
    forlop3 = [p for p in passages if p.text.startswith("Hovedforløp 3 omfatter")]
    assert forlop3 and forlop3[0].section == "Hovedforløp i lokalt psykisk helse- og rusarbeid"
    assert "3 ulike hovedforløp" in forlop3[0].lead


def test_no_extraction_artefacts_remain(passages: list) -> None:
    for p in passages:
        assert "ROP- " not in p.text and "\no " not in p.text and "  " not in p.text, p.id


def test_source_without_front_matter_is_refused_with_the_file_name(tmp_path: Path) -> None:
    bad = tmp_path / "x.md"
    bad.write_text("# Tittel\n\nTekst.\n", encoding="utf-8")
    with pytest.raises(ValueError, match="x.md"):
        load_document(bad)


def test_empty_sources_folder_is_an_error_not_an_empty_index(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_sources(tmp_path)
