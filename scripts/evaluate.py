"""Measure retrieval and "knowing what it doesn't know" on the held-out question set.

Prints hit@1, hit@3 and MRR for BM25 alone, the encoder alone and the hybrid, per
question variety; out-of-scope precision and recall, false-answer and false-refusal
rates at the configured threshold; retrieval latency, encoder and spaCy load times and
throughput; then the language models' build-time scores (scripts/models_report.py).
The questions in knowledge/eval/questions.yml are never used for tuning.
Usage: python scripts/evaluate.py [--questions knowledge/eval/questions.yml]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import models_report  # noqa: E402

from knowledge.engine import KnowledgeEngine, create_engine  # noqa: E402
from knowledge.loaders import load_encoder, load_spacy  # noqa: E402
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings  # noqa: E402

SYSTEMS = ("bm25", "dense", "hybrid")


@dataclass(frozen=True)
class Question:
    """One held-out question and the passage ids that answer it."""

    text: str
    answers: tuple[str, ...]
    variety: str


def load_questions(path: Path) -> tuple[list[Question], list[str]]:
    """In-scope questions and out-of-scope question texts."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = [Question(q["q"], tuple(q["answers"]), q.get("variety", "bokmal")) for q in raw["questions"]]
    return in_scope, [q["q"] for q in raw.get("out_of_scope", [])]


def first_hit(ranking: list[str], answers: tuple[str, ...]) -> int:
    """1-based rank of the first answering passage."""
    return next(i for i, pid in enumerate(ranking, start=1) if pid in answers)


def retrieval_table(engine: KnowledgeEngine, questions: list[Question]) -> None:
    """Print hit@1 / hit@3 / MRR per system, overall and per variety."""
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for question in questions:
        for system, ranking in engine.rankings(question.text).items():
            rank = first_hit(ranking, question.answers)
            ranks[(system, "all")].append(rank)
            ranks[(system, question.variety)].append(rank)
    varieties = ["all"] + sorted({q.variety for q in questions})
    print(f"Retrieval on {len(questions)} held-out questions (rank of the first answering passage)")
    print(f"  {'system':8} {'variety':13} {'n':>4} {'hit@1':>6} {'hit@3':>6} {'MRR':>6}")
    for system in SYSTEMS:
        for variety in varieties:
            found = ranks[(system, variety)]
            hit1 = sum(r == 1 for r in found) / len(found)
            hit3 = sum(r <= 3 for r in found) / len(found)
            mrr = statistics.fmean(1 / r for r in found)
            print(f"  {system:8} {variety:13} {len(found):4d} {hit1:6.3f} {hit3:6.3f} {mrr:6.3f}")
    rescued = sum(b > 3 >= h for b, h in zip(ranks[("bm25", "all")], ranks[("hybrid", "all")], strict=True))
    lost = sum(h > 3 >= b for b, h in zip(ranks[("bm25", "all")], ranks[("hybrid", "all")], strict=True))
    print(f"  encoder in the hybrid: {rescued} questions moved into the top 3 that BM25 alone missed, {lost} moved out")


def scope_table(engine: KnowledgeEngine, questions: list[Question], out_of_scope: list[str]) -> None:
    """Print how well the confidence threshold separates answerable from unanswerable questions."""
    refused_in = [q.text for q in questions if engine.ask(q.text).out_of_scope]
    answered_out = [q for q in out_of_scope if not engine.ask(q).out_of_scope]
    true_oos = len(out_of_scope) - len(answered_out)
    flagged = true_oos + len(refused_in)
    precision = true_oos / flagged if flagged else 1.0
    recall = true_oos / len(out_of_scope) if out_of_scope else 1.0
    accuracy = (len(questions) - len(refused_in) + true_oos) / (len(questions) + len(out_of_scope))
    print(f"\nOut of scope ({len(out_of_scope)} questions) vs in scope ({len(questions)})")
    print(f"  out-of-scope precision {precision:.3f}   recall {recall:.3f}   accuracy {accuracy:.3f}")
    print(f"  false-answer rate  {len(answered_out) / max(len(out_of_scope), 1):.3f}  (answered though not covered)")
    print(f"  false-refusal rate {len(refused_in) / max(len(questions), 1):.3f}  (refused though covered)")
    for text in answered_out:
        print(f"    answered: {text}")


def speed_table(engine: KnowledgeEngine, settings: KnowledgeSettings, questions: list[Question]) -> None:
    """Print in-process retrieval latency, encoder load time and encode throughput."""
    samples = []
    for question in questions:
        started = time.perf_counter()
        engine.ask(question.text)
        samples.append((time.perf_counter() - started) * 1000)
    started = time.perf_counter()
    encoder = load_encoder(settings.encoder)
    load_ms = (time.perf_counter() - started) * 1000
    texts = [q.text for q in questions]
    started = time.perf_counter()
    for text in texts:
        encoder.encode([text])
    single_ms = (time.perf_counter() - started) * 1000 / len(texts)
    print(f"\nSpeed ({len(samples)} questions, in process)")
    p50, p95 = np.percentile(samples, [50, 95])
    print(f"  retrieval p50 {p50:.2f} ms   p95 {p95:.2f} ms")
    started = time.perf_counter()
    encoder.encode(texts * 10)
    per_second = len(texts) * 10 / (time.perf_counter() - started)
    print(f"  encoder load {load_ms:.0f} ms (library already imported)   encode one question {single_ms:.3f} ms")
    print(f"  encode throughput {per_second:,.0f} questions/s in batches")
    started = time.perf_counter()
    nlp = load_spacy(settings.spacy_model)
    spacy_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    list(nlp.pipe(texts))
    docs_per_second = len(texts) / (time.perf_counter() - started)
    print(f"  spaCy {nlp.meta['name']} load {spacy_ms:.0f} ms   {docs_per_second:,.0f} questions/s")


def main() -> None:
    """Load the engine once and print every table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "knowledge" / "eval" / "questions.yml")
    args = parser.parse_args()
    settings = KnowledgeSettings()
    engine = create_engine(settings)
    questions, out_of_scope = load_questions(args.questions)
    retrieval_table(engine, questions)
    scope_table(engine, questions, out_of_scope)
    speed_table(engine, settings, questions)
    print("\nLanguage models (scores from their build manifests)")
    print(models_report.report())


if __name__ == "__main__":
    main()
