"""Measure retrieval and "knowing what it doesn't know" on the held-out question set.

Prints hit@1, hit@3 and MRR for BM25 alone, the encoder alone and the hybrid, per
question variety; out-of-scope precision and recall, false-answer and false-refusal
rates at the configured threshold; retrieval latency, encoder and spaCy load times and
throughput; referral pathway accuracy and crisis recall and false alarms
(scripts/referral_report.py); the language models' build-time scores
(scripts/models_report.py); then every chat quality metric on our held-out sets beside the
same metric on the field set written outside the team (scripts/fieldtest_report.py).
The questions in knowledge/eval/questions.yml are never used for tuning.
Usage: python scripts/evaluate.py [--questions knowledge/eval/questions.yml] [--shared ../shared]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import fieldtest_report  # noqa: E402
import models_report  # noqa: E402
import referral_report  # noqa: E402

from knowledge.assemble import assemble  # noqa: E402
from knowledge.bm25 import BM25  # noqa: E402
from knowledge.documents import load_sources  # noqa: E402
from knowledge.loaders import load_encoder, load_spacy  # noqa: E402
from knowledge.pipeline import KnowledgePipeline  # noqa: E402
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings  # noqa: E402

SYSTEMS = ("windows", "bm25", "dense", "hybrid")
WINDOW_WORDS, WINDOW_STRIDE = 50, 25
GOALS = {"hit@1": 0.85, "hit@3": 0.95, "out-of-scope accuracy": 0.95}


@dataclass(frozen=True)
class Question:
    """One held-out question and the passage ids that answer it."""

    text: str
    answers: tuple[str, ...]
    variety: str


def load_questions(path: Path) -> tuple[list[Question], list[tuple[str, str]]]:
    """In-scope questions and out-of-scope (text, kind) pairs."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    in_scope = [Question(q["q"], tuple(q["answers"]), q.get("variety", "bokmal")) for q in raw["questions"]]
    return in_scope, [(q["q"], q.get("kind", "other")) for q in raw.get("out_of_scope", [])]


def window_baseline(settings: KnowledgeSettings) -> Callable[[str], list[str]]:
    """Plain BM25 over fixed windows of 50 words (stride 25) of each guideline: lower-cased
    words only, no headings, stems, synonyms or encoder. A window counts as the passages
    whose words it holds (most words first), so it ranks passages like the engine does."""
    windows: list[list[str]] = []
    owners: list[list[str]] = []
    _, passages = load_sources(settings.sources_dir)
    for document in dict.fromkeys(p.document_id for p in passages):
        words: list[str] = []
        owner: list[str] = []
        for passage in (p for p in passages if p.document_id == document):
            tokens = re.findall(r"\w+", passage.text.lower())
            words += tokens
            owner += [passage.id] * len(tokens)
        for start in range(0, max(len(words) - WINDOW_STRIDE, 1), WINDOW_STRIDE):
            windows.append(words[start : start + WINDOW_WORDS])
            counts = Counter(owner[start : start + WINDOW_WORDS])
            owners.append([pid for pid, _ in counts.most_common()])
    bm25 = BM25(windows)
    every = [p.id for p in passages]

    def rank(question: str) -> list[str]:
        scores = bm25.scores(re.findall(r"\w+", question.lower()))
        ranked = [pid for i in np.argsort(-scores, kind="stable") for pid in owners[int(i)]]
        return list(dict.fromkeys([*ranked, *every]))

    return rank


def first_hit(ranking: list[str], answers: tuple[str, ...]) -> int:
    """1-based rank of the first answering passage."""
    return next(i for i, pid in enumerate(ranking, start=1) if pid in answers)


def retrieval_table(
    engine: KnowledgePipeline, baseline: Callable[[str], list[str]], questions: list[Question]
) -> dict[str, float]:
    """Print hit@1 / hit@3 / MRR per system, overall and per variety; return the hybrid's."""
    ranks: dict[tuple[str, str], list[int]] = defaultdict(list)
    for question in questions:
        rankings = {"windows": baseline(question.text), **engine.rankings(question.text)}
        for system, ranking in rankings.items():
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
    print(f"  windows = baseline: plain BM25 over {WINDOW_WORDS}-word windows (stride {WINDOW_STRIDE}) of the texts")
    hybrid = ranks[("hybrid", "all")]
    return {"hit@1": sum(r == 1 for r in hybrid) / len(hybrid), "hit@3": sum(r <= 3 for r in hybrid) / len(hybrid)}


def scope_table(engine: KnowledgePipeline, questions: list[Question], out_of_scope: list[tuple[str, str]]) -> float:
    """Print how well the confidence separates answerable from unanswerable questions, per
    kind of unanswerable question; return the accuracy."""
    refused_in = [q.text for q in questions if engine.ask(q.text).out_of_scope]
    answered_out = [(text, kind) for text, kind in out_of_scope if not engine.ask(text).out_of_scope]
    true_oos = len(out_of_scope) - len(answered_out)
    flagged = true_oos + len(refused_in)
    precision = true_oos / flagged if flagged else 1.0
    recall = true_oos / len(out_of_scope) if out_of_scope else 1.0
    accuracy = (len(questions) - len(refused_in) + true_oos) / (len(questions) + len(out_of_scope))
    print(
        f"\nOut of scope ({len(out_of_scope)} questions) vs in scope ({len(questions)}), threshold {engine.threshold}"
    )
    print(f"  out-of-scope precision {precision:.3f}   recall {recall:.3f}   accuracy {accuracy:.3f}")
    print(f"  false-answer rate  {len(answered_out) / max(len(out_of_scope), 1):.3f}  (answered though not covered)")
    print(f"  false-refusal rate {len(refused_in) / max(len(questions), 1):.3f}  (refused though covered)")
    kinds = Counter(kind for _, kind in out_of_scope)
    missed = Counter(kind for _, kind in answered_out)
    print("  refused per kind: " + ", ".join(f"{k} {kinds[k] - missed[k]}/{kinds[k]}" for k in sorted(kinds)))
    for text, kind in answered_out:
        print(f"    answered ({kind}): {text}")
    for text in refused_in:
        print(f"    refused: {text}")
    return accuracy


def speed_table(engine: KnowledgePipeline, settings: KnowledgeSettings, questions: list[Question]) -> float:
    """Print in-process retrieval latency, encoder load time and encode throughput; return p95 ms."""
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
    return float(p95)


def main() -> None:
    """Load the engine once and print every table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=Path, default=PROJECT_ROOT / "knowledge" / "eval" / "questions.yml")
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared", help="holds fieldtest/")
    args = parser.parse_args()
    settings = KnowledgeSettings()
    assembly = assemble(settings)
    if assembly.knowledge is None:
        raise SystemExit(f"knowledge pipeline not loaded: {assembly.knowledge_error}")
    engine = assembly.knowledge
    print(f"e5 (semantic encoder): {assembly.semantic}")
    questions, out_of_scope = load_questions(args.questions)
    scores = retrieval_table(engine, window_baseline(settings), questions)
    scores["out-of-scope accuracy"] = scope_table(engine, questions, out_of_scope)
    p95 = speed_table(engine, settings, questions)
    print("\nGoals (hybrid)")
    for name, goal in GOALS.items():
        print(f"  {name:22} {scores[name]:.3f}  goal >= {goal:.2f}  {'met' if scores[name] >= goal else 'NOT met'}")
    print(f"  {'retrieval p95':22} {p95:.2f} ms  goal < 10 ms  {'met' if p95 < 10 else 'NOT met'}")
    held_out = PROJECT_ROOT / "knowledge" / "eval"
    referral = assembly.referral
    pathway = referral_report.referral_table(referral, held_out / "referral.yml")
    everyday = [q.text for q in questions] + [text for text, _ in out_of_scope]
    recall, alarms = referral_report.crisis_table(assembly.safety, held_out / "crisis.yml", everyday)
    print("\nGoals (referral and crisis)")
    scores = {"pathway accuracy": pathway, "crisis recall": recall, "crisis false alarms": alarms}
    print("\n".join(referral_report.goals_lines(scores)))
    print("\nLanguage models (scores from their build manifests)")
    print(models_report.report())
    own = fieldtest_report.own_set(((q.text, q.answers) for q in questions), out_of_scope, held_out)
    fieldtest_report.report(own, args.shared / "fieldtest" / "fieldtest.yaml", engine, referral)


if __name__ == "__main__":
    main()
