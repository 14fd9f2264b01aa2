"""The encoder's training data is sound and kept apart from the evaluation questions.

A training question that is (nearly) an evaluation question would make `make eval` report
memory instead of understanding. The same holds for the field set written outside the team
(../shared/fieldtest): no text the project learns from, is tuned on or matches with rules may
be a near-copy of one of its messages.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import yaml

from knowledge.documents import load_sources
from knowledge.index import tuning_questions
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

TRAINING = PROJECT_ROOT / "knowledge" / "training"
NEAR_COPY = 0.7  # share of distinct words in common (Jaccard)
EVAL = yaml.safe_load((PROJECT_ROOT / "knowledge" / "eval" / "questions.yml").read_text(encoding="utf-8"))
FIELD_SET = PROJECT_ROOT.parent / "shared" / "fieldtest" / "fieldtest.yaml"
# Everything the project trains, tunes or fits on, matches with rules, or teaches Rasa with.
LEARNT_FROM = ("knowledge/training", "knowledge/tuning", "knowledge/crisis", "data/nlu", "bot", "tests/stories")
FIELD_MIN_WORDS = 3  # one- or two-word field messages are words anyone writes
_ANNOTATION = re.compile(r"\[([^\]]*)\](?:\([^)]*\)|\{[^}]*\})")  # Rasa's [text](entity) and [text]{...}


def _load(path: Path) -> dict:  # type: ignore[type-arg]
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _questions() -> list[dict]:  # type: ignore[type-arg]
    return [q for path in sorted(TRAINING.glob("questions_*.yml")) for q in _load(path)["questions"]]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


def _near_copies(texts: list[str], held_out: list[set[str]]) -> list[str]:
    """The texts that share at least NEAR_COPY of their distinct words (Jaccard) with a held-out one."""
    return [text for text in texts if any(map(_near(_words(text)), held_out))]


def _near(words: set[str]) -> Callable[[set[str]], bool]:
    """Jaccard >= NEAR_COPY; sets whose sizes differ more than that cannot be, and are not intersected."""
    return lambda other: (
        min(len(words), len(other)) >= NEAR_COPY * max(len(words), len(other))
        and len(words & other) >= NEAR_COPY * max(len(words | other), 1)
    )


def _strings(node: object) -> Iterator[str]:
    """Every string in a YAML tree, a Rasa example block ("- one\n- two") line by line, without
    entity annotations."""
    if isinstance(node, dict):
        node = list(node.values())
    if isinstance(node, list):
        for child in node:
            yield from _strings(child)
    elif isinstance(node, str):
        for line in node.splitlines():
            yield _ANNOTATION.sub(r"\1", line.strip().removeprefix("- "))


def _project_texts() -> list[str]:
    files = [path for folder in LEARNT_FROM for path in sorted((PROJECT_ROOT / folder).rglob("*.yml"))]
    files += sorted((PROJECT_ROOT / "knowledge").glob("*.yml"))  # rules: safety, referral, map, synonyms ...
    return [text for path in files for text in _strings(_load(path))]


def _training_texts() -> list[str]:
    """Everything models or calibration learn from: encoder training data and tuning questions."""
    texts = [q["q"] for q in _questions()]
    for path in sorted((PROJECT_ROOT / "knowledge" / "tuning").glob("*.yml")):
        tuning = _load(path)
        texts += [q["q"] for q in tuning.get("questions", []) + tuning.get("out_of_scope", [])]
    texts += [q["q"] for q in _load(TRAINING / "out_of_scope.yml")["questions"]]
    texts += [side for pair in _load(TRAINING / "paraphrases.yml")["pairs"] for side in pair]
    return texts


def test_training_questions_cite_existing_passages_and_cover_both_guidelines() -> None:
    _, passages = load_sources(KnowledgeSettings().sources_dir)
    ids = {p.id for p in passages}
    questions = _questions()
    unknown = sorted({a for q in questions for a in q["answers"]} - ids)
    assert not unknown, f"training answers cite passages that do not exist: {unknown}"
    assert len(questions) >= 400
    assert {q["answers"][0].split(":")[0] for q in questions} == {"rop", "sm"}
    assert {"bokmal", "nynorsk", "misspelt"} <= {q["variety"] for q in questions}


def test_paraphrase_pairs_have_two_different_sides() -> None:
    pairs = _load(TRAINING / "paraphrases.yml")["pairs"]
    assert len(pairs) >= 100
    assert all(len(pair) == 2 and pair[0].strip().lower() != pair[1].strip().lower() for pair in pairs)


def test_no_training_text_is_a_near_copy_of_an_evaluation_question() -> None:
    held_out = [_words(q["q"]) for q in EVAL["questions"] + EVAL["out_of_scope"]]
    copies = _near_copies(_training_texts(), held_out)
    assert not copies, f"training texts too close to evaluation questions: {copies}"


# The shipped encoder (knowledge/models/nb-static-v1) was fine-tuned on this paraphrase pair before
# the field set existed; its build manifest pins paraphrases.yml, so the pair goes at the next
# `make models`. It is not used by the crisis classifier. Nothing else may be added here.
SHIPPED_BEFORE_THE_FIELD_SET = frozenset({"han sitter inne"})


@pytest.mark.skipif(not FIELD_SET.exists(), reason="../shared/fieldtest is only beside the project in dev and CI")
def test_no_project_text_is_a_near_copy_of_a_field_set_message() -> None:
    """The field set measures text we did not write; a copy in training data, tuning files, rules,
    NLU examples or stories would make `make eval` report memory."""
    field = yaml.safe_load(FIELD_SET.read_text(encoding="utf-8"))
    messages = [item["q"] for section in field.values() for item in section if "q" in item]
    messages += [turn for dialogue in field["dialogue"] for turn in dialogue["turns"]]
    held_out = [words for words in map(_words, messages) if len(words) >= FIELD_MIN_WORDS]
    texts = [text for text in _project_texts() if text not in SHIPPED_BEFORE_THE_FIELD_SET]
    assert len(texts) > 5000 and len(held_out) > 200
    copies = _near_copies(texts, held_out)
    assert not copies, f"project texts too close to field-set messages: {copies}"


def test_no_calibration_question_is_written_twice() -> None:
    """A repeated question would count twice when the confidence model is fitted."""
    answerable, unanswerable = tuning_questions(KnowledgeSettings())
    seen: dict[str, int] = {}
    for text in answerable + unanswerable:
        key = " ".join(text.lower().split())
        seen[key] = seen.get(key, 0) + 1
    assert not [text for text, count in seen.items() if count > 1]


def test_crisis_and_referral_development_texts_are_not_near_copies_of_held_out_ones() -> None:
    """The crisis classifier and the referral rules were built on these texts; make eval must
    measure them on texts they have not seen."""
    held_out_dir = PROJECT_ROOT / "knowledge" / "eval"
    crisis = _load(held_out_dir / "crisis.yml")
    held_out = [_words(m["text"]) for m in crisis["crisis"] + crisis["ordinary"]]
    held_out += [_words(v["text"]) for v in _load(held_out_dir / "referral.yml")["vignettes"]]
    written: list[str] = []
    for path in sorted((PROJECT_ROOT / "knowledge" / "crisis").glob("*.yml")):
        raw = _load(path)
        written += [m["text"] for m in raw.get("crisis", []) + raw.get("ordinary", [])]
    for path in sorted((PROJECT_ROOT / "knowledge" / "tuning").glob("referral*.yml")):
        written += [v["text"] for v in _load(path)["vignettes"]]
    assert len(written) > 300
    copies = _near_copies(written, held_out)
    assert not copies, copies
