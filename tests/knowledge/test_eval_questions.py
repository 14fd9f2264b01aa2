"""The held-out question set is sound: every expected passage exists, nothing is asked twice."""

from __future__ import annotations

import pytest
import yaml

from knowledge.documents import load_sources
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

QUESTIONS = PROJECT_ROOT / "knowledge" / "eval" / "questions.yml"


@pytest.fixture(scope="module")
def questions() -> dict:
    return yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))


def test_every_expected_passage_id_exists(questions: dict) -> None:
    ids = {p.id for p in load_sources(KnowledgeSettings().sources_dir)[1]}
    missing = [(q["q"], a) for q in questions["questions"] for a in q["answers"] if a not in ids]
    assert missing == []


def test_set_is_large_and_varied_enough_to_measure(questions: dict) -> None:
    in_scope, out_of_scope = questions["questions"], questions["out_of_scope"]
    assert len(in_scope) >= 80 and len(out_of_scope) >= 40
    assert {"bokmal", "nynorsk", "misspelt"} <= {q["variety"] for q in in_scope}


def test_no_question_is_asked_twice(questions: dict) -> None:
    texts = [q["q"].strip().lower() for q in questions["questions"] + questions["out_of_scope"]]
    assert len(texts) == len(set(texts))
