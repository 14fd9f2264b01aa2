"""Readers for the training corpora in ../shared, shared by the model build scripts.

Why one module: the word vectors, the encoder's tokenizer and its frequency counts must all
see the same sentences, cleaned the same way, in the same order, and the manifests must pin
the same input hashes. Only build scripts import this; nothing reads ../shared at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

_BULLET = re.compile(r"^\s*(?:[o•●▪\-–]\s+|o(?=[A-ZÆØÅ]))")
# words hyphenated at a line end ("tjeneste- apparatet"); "helse- og" is a real ellipsis
_LINE_HYPHEN = re.compile(r"(\w)- (?!og\b|eller\b)(\w)")


@dataclass(frozen=True)
class Inputs:
    """Input files in a fixed order: the two seed texts, NDT (nob then nno), NoReC splits."""

    shared: Path
    seeds: list[Path]
    ndt: list[Path]
    norec: list[Path]

    def records(self) -> list[dict[str, str | int]]:
        """File, size and sha256 of every input, for a build manifest."""
        return file_records(self.shared, [*self.seeds, *self.ndt, *self.norec])


def find_inputs(shared: Path) -> Inputs:
    """Locate all input files under ``shared`` and fail early, naming what is missing."""
    shared = shared.resolve()
    corpora = shared / "corpora"
    norec = [corpora / "norec" / f"norec-{split}.txt.gz" for split in ("train", "dev", "test")]
    ndt = sorted((corpora / "ndt" / "ndt" / "nob").glob("*.conll")) + sorted(
        (corpora / "ndt" / "ndt" / "nno").glob("*.conll")
    )
    seeds = sorted((shared / "seeds").glob("*.txt"))
    for group in (seeds, ndt, norec):
        missing = [p for p in group if not p.is_file()]
        if missing or not group:
            raise SystemExit(f"missing input files under {shared}: {missing or 'none found'}")
    return Inputs(shared=shared, seeds=seeds, ndt=ndt, norec=norec)


def sha256_file(path: Path) -> str:
    """Hash a file in blocks so a manifest pins exactly which bytes it means."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def file_records(folder: Path, files: Sequence[Path]) -> list[dict[str, str | int]]:
    """File (relative to `folder`), size and sha256 of each path: one manifest entry format
    for inputs and outputs of every model build."""
    return [
        {"file": p.relative_to(folder).as_posix(), "bytes": p.stat().st_size, "sha256": sha256_file(p)} for p in files
    ]


def iter_norec_sentences(path: Path) -> Iterator[str]:
    """Yield non-empty sentence lines of one NoReC gzip, skipping ``### <id>`` headers."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("### "):
                yield line


def iter_conll_sentences(path: Path) -> Iterator[str]:
    """Rebuild sentences from the word-form column of one NDT CoNLL file."""
    forms: list[str] = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip():
                if forms:
                    yield " ".join(forms)
                    forms = []
                continue
            if line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) > 1 and cols[0].isdigit():
                forms.append(cols[1])
    if forms:
        yield " ".join(forms)


def iter_seed_segments(path: Path) -> Iterator[str]:
    """Yield paragraph/bullet segments of a seed text with bullets and line breaks undone.

    Light cleaning suffices: the segments only train models; the verbatim wording lives in
    knowledge/sources."""
    current: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if current:
                yield _LINE_HYPHEN.sub(r"\1-\2", " ".join(current))
                current = []
            continue
        starts_item = bool(_BULLET.match(raw)) and bool(current)
        line = _BULLET.sub("", line).strip()
        if starts_item:
            yield _LINE_HYPHEN.sub(r"\1-\2", " ".join(current))
            current = []
        if line:
            current.append(line)
    if current:
        yield _LINE_HYPHEN.sub(r"\1-\2", " ".join(current))


def iter_ndt(inputs: Inputs) -> Iterator[str]:
    """All NDT sentences (nob, then nno)."""
    for path in inputs.ndt:
        yield from iter_conll_sentences(path)


def iter_seeds(inputs: Inputs) -> Iterator[str]:
    """All segments of both seed texts."""
    for path in inputs.seeds:
        yield from iter_seed_segments(path)


def iter_norec(inputs: Inputs) -> Iterator[str]:
    """NoReC sentences in split order (train, dev, test)."""
    for path in inputs.norec:
        yield from iter_norec_sentences(path)
