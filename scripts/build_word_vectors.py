"""Train compact Norwegian word vectors with subword information (floret).

Why: the assistant runs offline and users misspell and inflect words ("kordinator",
"kommunen", nynorsk "bustad"). floret is fastText with hashed subword buckets: every word
and its character n-grams (3-5) are hashed into one small table, so any string, also one
never seen in training, gets a vector, while the table stays small enough to ship in the
repository. spaCy reads the exported table directly:

    spacy init vectors nb knowledge/models/nb-floret-v0/vectors.floret.gz <dir> --mode floret

(spaCy opens ``.gz`` itself; ``gzip -dk vectors.floret.gz`` gives the plain text table.)

What it does, in order:
1. streams NDT (nob + nno, FORM column), the two seed texts (repeated ``--seed-repeats``
   times, so domain words like koordinator/spesialisthelsetjenesten are well trained) and
   all of NoReC into one temporary training file outside the repository, one sentence per
   line, NFC-normalised, lowercased and tokenised (punctuation split off, word-internal
   hyphens kept: "rop-lidelser");
2. trains a floret CBOW model (``mode="floret"``) with a fixed seed;
3. exports the bucket table with ``save_floret_vectors`` and gzips it (the full ``.bin``
   model is not kept; it can be rebuilt with this script);
4. writes ``build_manifest.json`` (parameters, input files + sha256, token counts, output
   files + sha256, timings, neighbour table) and prints nearest neighbours (cosine) for
   probe words, including misspellings, ranked over the training vocabulary.

No corpus text is written into the repository: the temporary training file is deleted
when the build ends, also on error.

Determinism: fastText/floret trains with lock-free parallel SGD (Hogwild), so with more than
one thread the result depends on thread scheduling and differs (slightly) between runs. With
``--threads 1`` the build is bit-for-bit reproducible for the same inputs and seed.

Usage: python scripts/build_word_vectors.py --shared ../shared --out knowledge/models/nb-floret-v0
Requires: ``pip install floret numpy`` (a private venv is fine; not a runtime dependency).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from corpus import Inputs, file_records, find_inputs, iter_conll_sentences, iter_norec_sentences, iter_seed_segments

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

SCRIPT_NAME = "scripts/build_word_vectors.py"
VECTORS_NAME = "vectors.floret"
PROBE_WORDS: tuple[str, ...] = (
    "kommune",
    "kommunen",
    "bolig",
    "bustad",
    "rus",
    "psykisk",
    "lege",
    "arbeid",
    "koordinator",
    "spesialisthelsetjenesten",
    "kordinator",
    "spesialisthelsetjenesen",
    "kommunne",
)

_TOKEN = re.compile(r"\w+(?:-\w+)*|[^\w\s]")


@dataclass(frozen=True)
class TrainConfig:
    """floret training parameters; stored verbatim in the manifest."""

    model: str = "skipgram"
    mode: str = "floret"
    dim: int = 100
    minn: int = 3
    maxn: int = 5
    hashCount: int = 2  # noqa: N815 - floret's own parameter name
    bucket: int = 50_000
    epoch: int = 5
    lr: float = 0.05
    ws: int = 5
    neg: int = 5
    minCount: int = 5  # noqa: N815
    t: float = 1e-4
    thread: int = 2
    seed: int = 20240601


# --------------------------------------------------------------------------- inputs


def tokenize(text: str) -> list[str]:
    """NFC-normalise, lowercase and split off punctuation; keep word-internal hyphens."""
    return _TOKEN.findall(unicodedata.normalize("NFC", text).lower())


def _write_tokens(out: TextIO, sentences: Iterator[str]) -> int:
    """Write tokenised sentences one per line; return the number of tokens written."""
    count = 0
    for sentence in sentences:
        tokens = tokenize(sentence)
        if tokens:
            out.write(" ".join(tokens))
            out.write("\n")
            count += len(tokens)
    return count


def write_training_file(inputs: Inputs, path: Path, seed_repeats: int, max_norec_lines: int | None) -> dict[str, int]:
    """Stream all sources into ``path`` (seeds, NDT, NoReC); return token counts per source.

    fastText reads the file sequentially per thread chunk, so the seed repeats are spread
    through the file (one copy before each NoReC split and the rest up front) rather than
    being a single block only one thread sees early in training."""
    counts = {"seeds_once": 0, "seeds_total": 0, "ndt": 0, "norec": 0}
    with path.open("w", encoding="utf-8") as out:

        def seeds() -> int:
            n = 0
            for seed_path in inputs.seeds:
                n += _write_tokens(out, iter_seed_segments(seed_path))
            return n

        front = max(seed_repeats - len(inputs.norec), 0)
        for _ in range(front):
            counts["seeds_total"] += seeds()
        for path_ndt in inputs.ndt:
            counts["ndt"] += _write_tokens(out, iter_conll_sentences(path_ndt))
        written_lines = 0
        for i, norec_path in enumerate(inputs.norec):
            if i < seed_repeats:
                counts["seeds_total"] += seeds()
            lines = iter_norec_sentences(norec_path)
            if max_norec_lines is not None:
                lines = _take(lines, max(max_norec_lines - written_lines, 0))
            for sentence in lines:
                written_lines += 1
                tokens = tokenize(sentence)
                if tokens:
                    out.write(" ".join(tokens))
                    out.write("\n")
                    counts["norec"] += len(tokens)
    counts["seeds_once"] = counts["seeds_total"] // max(seed_repeats, 1)
    counts["total"] = counts["seeds_total"] + counts["ndt"] + counts["norec"]
    return counts


def _take(items: Iterator[str], n: int) -> Iterator[str]:
    """Yield at most ``n`` items."""
    for i, item in enumerate(items):
        if i >= n:
            return
        yield item


# --------------------------------------------------------------------------- training


def train_floret(train_path: Path, cfg: TrainConfig) -> Any:
    """Train an unsupervised floret model with ``cfg`` including its seed.

    ``floret.train_unsupervised`` does not accept ``seed`` (the C++ trainer does use
    ``args.seed``: each thread's RNG is seeded with ``seed + thread_id``), so this repeats
    its few lines with ``seed`` added to the accepted argument names."""
    from floret import floret as ft

    names = [
        "input",
        "model",
        "lr",
        "dim",
        "ws",
        "epoch",
        "minCount",
        "minCountLabel",
        "minn",
        "maxn",
        "neg",
        "wordNgrams",
        "loss",
        "bucket",
        "hashCount",
        "mode",
        "thread",
        "lrUpdateRate",
        "t",
        "label",
        "verbose",
        "pretrainedVectors",
        "seed",
    ]
    params: dict[str, Any] = {"input": str(train_path), "verbose": 2, **asdict(cfg)}
    values, manual = ft.read_args((), params, names, ft.unsupervised_default)
    fargs = ft._build_args(values, manual)
    model = ft._floret(args=fargs)
    ft.floret.train(model.f, fargs)
    model.set_args(model.f.getArgs())
    if model.f.getArgs().seed != cfg.seed:  # pragma: no cover - guards a floret API change
        raise RuntimeError("floret ignored the seed")
    return model


# --------------------------------------------------------------------------- neighbours


def neighbour_table(
    model: Any, words: list[str], k: int, max_vocab: int = 100_000, min_vocab_len: int = 2
) -> dict[str, list[list[Any]]]:
    """Top-``k`` cosine neighbours of each probe word over the ``max_vocab`` most frequent
    training words (alphabetic ones only).

    Probe vectors come from ``get_word_vector``, so out-of-vocabulary misspellings are built
    from their hashed n-grams exactly as spaCy would build them from the exported table."""
    import numpy as np

    words_by_freq: list[str] = model.words[:max_vocab]
    vocab = [w for w in words_by_freq if len(w) >= min_vocab_len and any(c.isalpha() for c in w)]
    # get_word_vector may hand back the same buffer each call: copy every row.
    matrix: npt.NDArray[np.float32] = np.empty((len(vocab), model.get_dimension()), dtype=np.float32)
    for row, w in enumerate(vocab):
        matrix[row] = model.get_word_vector(w)
    matrix /= np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-8)
    table: dict[str, list[list[Any]]] = {}
    for word in dict.fromkeys(words):
        vec = np.array(model.get_word_vector(word), dtype=np.float32, copy=True)
        vec /= max(float(np.linalg.norm(vec)), 1e-8)
        sims = matrix @ vec
        order = np.argsort(-sims, kind="stable")
        table[word] = [[vocab[i], round(float(sims[i]), 3)] for i in order if vocab[i] != word][:k]
    return table


# --------------------------------------------------------------------------- outputs


def gzip_file(src: Path, dst: Path) -> None:
    """Gzip ``src`` to ``dst`` with a zero mtime and no name, so equal input gives equal bytes."""
    with (
        src.open("rb") as fin,
        dst.open("wb") as raw,
        gzip.GzipFile(filename="", mode="wb", fileobj=raw, compresslevel=9, mtime=0) as fout,
    ):
        shutil.copyfileobj(fin, fout, 1 << 20)


def write_manifest(path: Path, manifest: dict[str, Any]) -> None:
    """Write the manifest as stable, human-readable JSON."""
    path.write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; defaults reproduce the shipped nb-floret-v0 build."""
    defaults = TrainConfig()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="the shared/ folder")
    parser.add_argument("--out", type=Path, default=Path("knowledge/models/nb-floret-v0"))
    parser.add_argument("--model", choices=("cbow", "skipgram"), default=defaults.model)
    parser.add_argument("--dim", type=int, default=defaults.dim)
    parser.add_argument("--bucket", type=int, default=defaults.bucket)
    parser.add_argument("--minn", type=int, default=defaults.minn)
    parser.add_argument("--maxn", type=int, default=defaults.maxn)
    parser.add_argument("--epoch", type=int, default=defaults.epoch)
    parser.add_argument("--threads", type=int, default=defaults.thread, help="1 = deterministic")
    parser.add_argument("--seed", type=int, default=defaults.seed)
    parser.add_argument("--seed-repeats", type=int, default=20, help="copies of the seed texts")
    parser.add_argument("--max-norec-lines", type=int, default=None, help="for quick trials only")
    parser.add_argument("--neighbours", type=int, default=8)
    parser.add_argument("--keep-plain", action="store_true", help="also keep the uncompressed .floret")
    parser.add_argument("--tmpdir", type=Path, default=None, help="where the temporary training file goes")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Build the vectors; return a process exit code."""
    args = parse_args(argv)
    t0 = time.perf_counter()
    cfg = TrainConfig(
        model=args.model,
        dim=args.dim,
        bucket=args.bucket,
        minn=args.minn,
        maxn=args.maxn,
        epoch=args.epoch,
        thread=args.threads,
        seed=args.seed,
    )
    shared: Path = args.shared.resolve()
    out_dir: Path = args.out
    out_dir.mkdir(parents=True, exist_ok=True)
    inputs = find_inputs(shared)

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:7.1f}s] {msg}", flush=True)

    work = Path(tempfile.mkdtemp(prefix="floret-build-", dir=args.tmpdir))
    try:
        train_path = work / "train.txt"
        counts = write_training_file(inputs, train_path, args.seed_repeats, args.max_norec_lines)
        t_prep = time.perf_counter() - t0
        log(f"training file: {counts['total']:,} tokens {counts}")

        t1 = time.perf_counter()
        model = train_floret(train_path, cfg)
        t_train = time.perf_counter() - t1
        log(f"trained in {t_train:.1f}s; vocabulary {len(model.words):,} words")
        train_path.unlink()

        plain = work / VECTORS_NAME
        model.save_floret_vectors(str(plain))
        gz = out_dir / (VECTORS_NAME + ".gz")
        gzip_file(plain, gz)
        outputs: list[Path] = [gz]
        if args.keep_plain:
            shutil.copyfile(plain, out_dir / VECTORS_NAME)
            outputs.append(out_dir / VECTORS_NAME)
        with plain.open(encoding="utf-8") as handle:
            header = handle.readline().split()
        plain_bytes = plain.stat().st_size

        table = neighbour_table(model, list(PROBE_WORDS), args.neighbours)
        in_vocab = {w: model.get_word_id(w) >= 0 for w in dict.fromkeys(PROBE_WORDS)}
        for word, nbrs in table.items():
            tag = "" if in_vocab[word] else " (OOV)"
            log(f"{word}{tag}: " + ", ".join(f"{w} {s:.2f}" for w, s in nbrs))

        manifest: dict[str, Any] = {
            "script": SCRIPT_NAME,
            "seed": cfg.seed,
            "library": {"floret": _version("floret"), "numpy": _version("numpy")},
            "python": platform.python_version(),
            "parameters": asdict(cfg),
            "preprocessing": {
                "normalisation": "NFC, lowercase",
                "token_regex": _TOKEN.pattern,
                "seed_repeats": args.seed_repeats,
                "max_norec_lines": args.max_norec_lines,
                "order": (
                    "seeds x (repeats - 3), NDT nob+nno, then per NoReC split (train, dev, test): seeds x 1 + split"
                ),
            },
            "deterministic": cfg.thread == 1,
            "determinism_note": (
                "floret uses lock-free multi-threaded SGD; with thread > 1 results vary slightly "
                "between runs. Rebuild with --threads 1 for bit-identical output."
            ),
            "tokens": counts,
            "vocabulary_words": len(model.words),
            "floret_header": {
                "keys": ["rows", "dim", "minn", "maxn", "hash_count", "hash_seed", "bow", "eow"],
                "values": header,
            },
            "inputs": inputs.records(),
            "outputs": file_records(out_dir, outputs),
            "uncompressed_floret_bytes": plain_bytes,
            "usage": f"spacy init vectors nb {out_dir.as_posix()}/{gz.name} <output_dir> --mode floret",
            "seconds": {
                "prepare": round(t_prep, 1),
                "train": round(t_train, 1),
                "total": round(time.perf_counter() - t0, 1),
            },
            "neighbours": {
                "metric": "cosine over the 100k most frequent training words",
                "oov": [w for w, v in in_vocab.items() if not v],
                "table": table,
            },
            "platform": {"machine": platform.machine(), "cpus": os.cpu_count()},
        }
        write_manifest(out_dir / "build_manifest.json", manifest)
        log(f"wrote {gz} ({gz.stat().st_size / 1e6:.1f} MB; plain {plain_bytes / 1e6:.1f} MB) and build_manifest.json")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def _version(dist: str) -> str:
    """Installed version of a distribution, or 'unknown'."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


if __name__ == "__main__":
    sys.exit(main())
