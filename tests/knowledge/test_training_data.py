"""The encoder's training data is sound and kept apart from the evaluation questions.

A training question that is (nearly) an evaluation question would make `make eval` report
memory instead of understanding.
"""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from knowledge.documents import load_sources
from knowledge.index import tuning_questions
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

TRAINING = PROJECT_ROOT / "knowledge" / "training"
NEAR_COPY = 0.7  # share of distinct words in common (Jaccard)
EVAL = yaml.safe_load((PROJECT_ROOT / "knowledge" / "eval" / "questions.yml").read_text(encoding="utf-8"))


def _load(path: Path) -> dict:  # type: ignore[type-arg]
    return dict(yaml.safe_load(path.read_text(encoding="utf-8")))


def _questions() -> list[dict]:  # type: ignore[type-arg]
    return [q for path in sorted(TRAINING.glob("questions_*.yml")) for q in _load(path)["questions"]]


def _words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


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
    copies = [
        text
        for text in _training_texts()
        if any(len(_words(text) & e) / max(len(_words(text) | e), 1) >= NEAR_COPY for e in held_out)
    ]
    assert not copies, f"training texts too close to evaluation questions: {copies}"


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
    copies = [t for t in written if any(len(_words(t) & e) / max(len(_words(t) | e), 1) >= NEAR_COPY for e in held_out)]
    assert not copies, copies
