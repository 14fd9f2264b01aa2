"""The responsibility map only says what the guidelines say: every citation exists, word for word."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from knowledge.base import load_knowledge_base
from knowledge.settings import KnowledgeSettings

REQUIRED_TOPICS = ("individuell", "bolig", "arbeid", "kriseplan", "utskriv", "veiledning", "hovedforløp 1")


def test_shipped_map_cites_existing_passages_word_for_word_and_covers_the_core_topics() -> None:
    kb = load_knowledge_base(KnowledgeSettings())
    texts = {p.id: p.text for p in kb.passages}
    assert len(kb.topics) >= 15
    for topic in kb.topics:
        assert topic.responsible and topic.short_answer
        for citation in topic.citations:
            assert citation.quote in texts[citation.passage_id], (topic.id, citation.passage_id)
    titles = " ".join(t.title.lower() for t in kb.topics)
    assert all(word in titles for word in REQUIRED_TOPICS), titles


def _edited_map(tmp_path: Path, change: dict[str, object]) -> KnowledgeSettings:
    settings = KnowledgeSettings()
    raw = yaml.safe_load(settings.responsibility_file.read_text(encoding="utf-8"))
    raw["topics"][0] = raw["topics"][0] | change
    path = tmp_path / "responsibility.yml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return settings.model_copy(update={"responsibility_file": path})


def test_a_quote_that_is_not_in_the_passage_stops_loading(tmp_path: Path) -> None:
    settings = _edited_map(tmp_path, {"passages": [{"id": "rop:god-samhandling-3:1", "quote": "NAV har alt ansvar"}]})
    with pytest.raises(ValueError, match="quote not found word for word in rop:god-samhandling-3:1"):
        load_knowledge_base(settings)


def test_an_unknown_passage_or_service_is_named(tmp_path: Path) -> None:
    settings = _edited_map(
        tmp_path, {"responsible": ["barnevernet"], "passages": [{"id": "rop:finnes-ikke:1", "quote": "x"}]}
    )
    with pytest.raises(ValueError, match=r"unknown service 'barnevernet'.*'rop:finnes-ikke:1' does not exist"):
        load_knowledge_base(settings)
