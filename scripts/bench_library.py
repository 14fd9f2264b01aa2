"""Measure the knowledge engine over a larger library: the guidelines plus 10,000 paragraphs of
other Norwegian text (NoReC reviews from ../shared) as distractors.

Why: municipalities add their own documents, and every added paragraph is one more passage that
the engine scores per question, loads at start and indexes at build. The distractors are written
as Markdown sources to var/bench-library/sources (never knowledge/sources: they are not shipped)
and indexed with the guidelines in var/bench-library/index by `python -m knowledge build` in a
child process (its seconds and peak RSS). Then the engine is loaded over the project's index
(var/index, the guidelines alone) and over the large one, and this prints for each its load
time, the in-process latency of the call /api/ask makes on the held-out questions
(knowledge/eval), and the answer quality on them as `make eval` counts it
(scripts/fieldtest_report.py: hit@1, hit@3, answerable refused, out-of-scope refused).
Usage: python scripts/bench_library.py --shared ../shared [--paragraphs 10000]
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import itertools
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

# the project, and this folder for its sibling scripts (when imported as scripts.bench_library by a test)
sys.path[:0] = [str(Path(__file__).resolve().parent.parent), str(Path(__file__).resolve().parent)]

import fieldtest_report  # noqa: E402
from evaluate import load_questions  # noqa: E402

from api.privacy import Masker  # noqa: E402
from knowledge.assemble import Assembly, assemble  # noqa: E402
from knowledge.loaders import EMBEDDINGS_FILE  # noqa: E402
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings  # noqa: E402

NOREC = Path("corpora") / "norec" / "norec-train.txt.gz"
WORK_DIR = PROJECT_ROOT / "var" / "bench-library"
# A distractor is a paragraph of passage size (the guidelines' run from about 60 to 1,200
# characters); a few from each review, so many reviews and topics are in the library.
MIN_CHARS, MAX_CHARS, PER_REVIEW = 80, 1200, 4
PARAGRAPHS_PER_FILE = 100
TIMING_ROUNDS = 3
QUALITY = ("hit@1", "hit@3", "refused", "out_of_scope", "clinical")


@dataclass(frozen=True)
class Review:
    """One NoReC review: its title and the paragraphs taken from it."""

    title: str
    paragraphs: tuple[str, ...]


def _raw_reviews(path: Path) -> Iterator[list[list[str]]]:
    """Each review of a NoReC gzip as its paragraphs, each a list of sentence lines, in file order."""
    review: list[list[str]] = []
    lines: list[str] = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for raw in itertools.chain(handle, ["### end"]):  # the last review ends too
            line = raw.strip()
            if line and not line.startswith("### "):
                lines.append(line)
                continue
            if lines:
                review.append(lines)
                lines = []
            if line and review:
                yield review
                review = []


def distractors(path: Path, count: int) -> list[Review]:
    """The first `count` usable paragraphs of the corpus, at most `PER_REVIEW` from each review,
    under the review's title (its first line); the same every run. The first paragraph (title
    and lead) is not taken, nor one that Markdown would read as a heading or a list item, so
    each paragraph taken becomes exactly one passage."""
    reviews: list[Review] = []
    taken = 0
    for paragraphs in _raw_reviews(path):
        texts = [" ".join(lines) for lines in paragraphs[1:]]
        usable = [t for t in texts if MIN_CHARS <= len(t) <= MAX_CHARS and not t.startswith(("#", "-", "*", "+"))]
        chosen = tuple(usable[: min(PER_REVIEW, count - taken)])
        if chosen:
            reviews.append(Review(paragraphs[0][0].lstrip("#-*+ ")[:80] or "Uten tittel", chosen))
            taken += len(chosen)
        if taken >= count:
            return reviews
    raise SystemExit(f"{path} holds only {taken} usable paragraphs, {count} asked for")


def write_sources(reviews: list[Review], folder: Path) -> list[Path]:
    """Markdown sources of about `PARAGRAPHS_PER_FILE` paragraphs each, one section per review;
    the folder's old sources are removed first."""
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.md"):
        old.unlink()
    files: list[list[Review]] = [[]]
    for review in reviews:
        if sum(len(r.paragraphs) for r in files[-1]) >= PARAGRAPHS_PER_FILE:
            files.append([])
        files[-1].append(review)
    written = []
    for number, group in enumerate(files, start=1):
        name = f"norec-{number:03d}"
        title = f"NoReC-anmeldelser {number}"
        body = "\n\n".join(f"## {r.title}\n\n" + "\n\n".join(r.paragraphs) for r in group)
        front = f"---\nid: {name}\ntitle: {json.dumps(title)}\nshort_title: {json.dumps(f'NoReC {number}')}\n---\n"
        path = folder / f"{name}.md"
        path.write_text(f"{front}# {title}\n\n{body}\n", encoding="utf-8")
        written.append(path)
    return written


def build_index(settings: KnowledgeSettings) -> tuple[float, float, float]:
    """Build the index in a child process, as `make index` does; its seconds (wall and CPU: the
    machine may be shared) and peak RSS in MB.
    e5's cache starts as a copy of the project's (the guidelines' texts are encoded there)."""
    cache = settings.semantic_cache_dir / EMBEDDINGS_FILE
    if not cache.exists() and (KnowledgeSettings().semantic_cache_dir / EMBEDDINGS_FILE).exists():
        settings.semantic_cache_dir.mkdir(parents=True, exist_ok=True)
        shutil.copy(KnowledgeSettings().semantic_cache_dir / EMBEDDINGS_FILE, cache)
    env = os.environ | {
        "INDEX_DIR": str(settings.index_dir),
        "SEMANTIC_CACHE_DIR": str(settings.semantic_cache_dir),
        "EXTRA_SOURCES_DIRS": json.dumps([str(p) for p in settings.extra_sources_dirs]),
    }
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "knowledge", "build"], cwd=PROJECT_ROOT, env=env, check=True)
    seconds = time.perf_counter() - started
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024  # Linux: kB


@dataclass(frozen=True)
class Measured:
    """One library's figures."""

    passages: int
    load_seconds: float
    load_cpu_seconds: float
    p50_ms: float
    p95_ms: float
    cpu_p50_ms: float
    cpu_p95_ms: float
    quality: dict[str, fieldtest_report.Share]


def measure(settings: KnowledgeSettings, own: fieldtest_report.EvalSet, masker: Masker) -> Measured:
    """Load the engine (median of `TIMING_ROUNDS` loads), score its answers, then time `ask` on
    every held-out question (each round's p50 and p95, the median round reported)."""
    loads: list[tuple[float, float]] = []
    assembly: Assembly | None = None
    for _ in range(TIMING_ROUNDS):
        started, cpu = time.perf_counter(), time.process_time()
        assembly = assemble(settings)
        loads.append((time.perf_counter() - started, time.process_time() - cpu))
    assert assembly is not None
    engine = assembly.knowledge
    if engine is None:
        raise SystemExit(f"no engine over {settings.index_dir}: {assembly.knowledge_error}")
    quality = fieldtest_report.measure(own, engine, assembly.referral, masker)  # also warms e5's per-text cache
    questions = [m.text for m in (*own.answerable, *own.unanswerable)]
    rounds = []
    for _ in range(TIMING_ROUNDS):
        samples = []
        for question in questions:
            started, cpu = time.perf_counter(), time.process_time()
            engine.ask(question)  # what /api/ask runs, in the request's thread
            samples.append(((time.perf_counter() - started) * 1000, (time.process_time() - cpu) * 1000))
        rounds.append(np.percentile(np.array(samples), [50, 95], axis=0).T.ravel())
    p50, p95, cpu_p50, cpu_p95 = np.median(np.array(rounds), axis=0)
    wall, cpu = (statistics.median(values) for values in zip(*loads, strict=True))
    return Measured(len(engine.passage_ids), wall, cpu, float(p50), float(p95), float(cpu_p50), float(cpu_p95), quality)


def main() -> None:
    """Write the distractors, build their index, and print both libraries side by side."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=PROJECT_ROOT.parent / "shared", help="holds corpora/norec")
    parser.add_argument("--paragraphs", type=int, default=10_000)
    parser.add_argument("--work-dir", type=Path, default=WORK_DIR)
    parser.add_argument("--no-build", action="store_true", help="reuse the index built last time")
    args = parser.parse_args()
    sources = args.work_dir / "sources"
    large = KnowledgeSettings(
        index_dir=args.work_dir / "index", semantic_cache_dir=args.work_dir / "cache", extra_sources_dirs=(sources,)
    )
    if not args.no_build:
        files = write_sources(distractors(args.shared / NOREC, args.paragraphs), sources)
        print(f"{args.paragraphs} distractor paragraphs in {len(files)} files in {sources}", flush=True)
        seconds, cpu, peak_mb = build_index(large)
        print(f"index build: {seconds:.1f} s (CPU {cpu:.1f} s), peak RSS {peak_mb:.0f} MB (goal < 60 s)", flush=True)
    questions, out_of_scope = load_questions(PROJECT_ROOT / "knowledge" / "eval" / "questions.yml")
    own = fieldtest_report.own_set(
        ((q.text, q.answers) for q in questions), out_of_scope, PROJECT_ROOT / "knowledge" / "eval"
    )
    own = dataclasses.replace(own, referral=[], crisis=[], danger_words=[])  # retrieval only
    masker = fieldtest_report.gateway_masker()
    assemble(KnowledgeSettings(), with_knowledge=False)  # libraries and e5 once, before any timing
    small, big = measure(KnowledgeSettings(), own, masker), measure(large, own, masker)
    print(f"\nLibrary of {small.passages} vs {big.passages} passages (in process, median of {TIMING_ROUNDS} rounds;")
    print(f"  {len(own.answerable) + len(own.unanswerable)} held-out questions of knowledge/eval, e5 vectors cached)")
    print(f"  {'':34} {small.passages:>14} {big.passages:>14}  goal")
    print(f"  {'engine load (assemble) s':34} {small.load_seconds:14.2f} {big.load_seconds:14.2f}  < 5 s")
    print(f"  {'  of it CPU s':34} {small.load_cpu_seconds:14.2f} {big.load_cpu_seconds:14.2f}")
    print(f"  {'/api/ask retrieval p50 ms':34} {small.p50_ms:14.2f} {big.p50_ms:14.2f}")
    print(f"  {'/api/ask retrieval p95 ms':34} {small.p95_ms:14.2f} {big.p95_ms:14.2f}  < 10 ms")
    cpu_ms = [f"{m.cpu_p50_ms:.2f} / {m.cpu_p95_ms:.2f}" for m in (small, big)]
    print(f"  {'  of it CPU p50 / p95 ms':34} {cpu_ms[0]:>14} {cpu_ms[1]:>14}")
    labels = {row.key: row.label for row in fieldtest_report.ROWS}
    for key in QUALITY:
        print(f"  {labels[key][:34]:34} {small.quality[key]!s:>14} {big.quality[key]!s:>14}  as at {small.passages}")


if __name__ == "__main__":
    main()
