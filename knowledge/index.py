"""Write the search index built from the knowledge base and load it back, refusing a stale one.

The manifest next to the index records the hashes of every content file (sources, synonyms,
variants, services, responsibility map, tuning questions), the encoders and the confidence
model's features, so a change to any of them is detected at load time, not served.
knowledge.build writes the artefacts with `write_index`, fits the confidence models and writes
the manifest last.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np
import numpy.typing as npt
import yaml

from knowledge.calibration import FEATURES
from knowledge.documents import Passage, source_files
from knowledge.encoder import Encoder, fingerprint
from knowledge.lexical import LexicalIndex, analyse, load_lexical
from knowledge.loaders import SemanticEncoder, cached_vectors
from knowledge.retrievers import SemanticVectors
from knowledge.settings import KnowledgeSettings

FORMAT_VERSION = 4  # 4: the lexicon and BM25 postings are stored (knowledge.lexical)
MANIFEST = "manifest.json"
PASSAGES = "passages.json"
VECTORS = "dense.faiss"
EXAMPLES = "examples.npy"
EXAMPLE_OWNERS = "examples.json"
VOCABULARY = "vocabulary.json"
# Words workers use (from training questions of these varieties; the misspelt and colloquial
# ones would teach the typo corrector their typos), kept when two questions share them.
VOCABULARY_VARIETIES = frozenset({"bokmal", "nynorsk", "abbreviation"})
VOCABULARY_MIN_QUESTIONS = 2
UNANSWERABLE = "unanswerable.npy"
# e5's vectors of passages, example questions and unanswerable questions (when it loads)
SEMANTIC = "semantic.npz"


def calibration_file(semantic: bool) -> str:
    """Each pipeline has its own confidence model: with e5 and without."""
    return "calibration_semantic.json" if semantic else "calibration.json"


class StaleIndexError(RuntimeError):
    """The index on disk does not match the sources or the encoder; rebuild with `make index`."""


@dataclass(frozen=True)
class LoadedIndex:
    """Passages and their dense vectors, in the same order."""

    passages: list[Passage]
    vectors: faiss.Index
    manifest: dict[str, object]
    # the passages' words and BM25 postings
    lexical: LexicalIndex
    # Embedded example questions (knowledge/training) and the passage each one is answered by.
    examples: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    example_owners: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    # Words workers write that the guidelines do not ("kriseplan", singular), for typo repair.
    vocabulary: tuple[str, ...] = ()
    # Embedded questions the guidelines do not answer (the tuning files), for a nearest-neighbour signal.
    unanswerable: npt.NDArray[np.float32] = field(default_factory=lambda: np.zeros((0, 0), dtype=np.float32))
    # e5's vectors, when the index was built with it
    semantic: SemanticVectors | None = None

    def calibration(self, settings: KnowledgeSettings, semantic: bool) -> Path | None:
        """The fitted confidence model for a pipeline with or without e5, if there is one."""
        path = settings.index_dir / calibration_file(semantic)
        return path if path.exists() else None


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _optional_hash(path: Path) -> str | None:
    return _sha256(path) if path.exists() else None


def expected_manifest(settings: KnowledgeSettings) -> dict[str, object]:
    """What the manifest must say for the current content files and encoder."""
    # the guidelines' files by name (as before extra folders existed), an extra folder's by path
    sources = {
        p.name if p.parent == settings.sources_dir else str(p): _sha256(p)
        for p in source_files(settings.sources_dir, *settings.extra_sources_dirs)
    }
    return {
        "format": FORMAT_VERSION,
        "sources": sources,
        "synonyms": _optional_hash(settings.synonyms_file),
        "variants": _optional_hash(settings.variants_file),
        "services": _optional_hash(settings.services_file),
        "responsibility": _optional_hash(settings.responsibility_file),
        "tuning": {p.name: _sha256(p) for p in _tuning_files(settings)},
        "examples": {p.name: _sha256(p) for p in _example_files(settings)},
        "encoder": {"spec": settings.encoder, "fingerprint": fingerprint(settings.encoder)},
        # the confidence model's inputs: a calibration fitted on other features cannot be used
        "features": list(FEATURES),
    }


def _example_files(settings: KnowledgeSettings) -> list[Path]:
    return sorted(settings.examples_dir.glob("questions_*.yml"))


def example_questions(settings: KnowledgeSettings, passage_ids: list[str]) -> tuple[list[str], list[int]]:
    """Worker questions written for training, each with the position of its best passage.

    Why: a question is often closer to another question about the same passage than to the
    passage's formal wording, so the engine also compares with these (nearest neighbours)."""
    position = {pid: i for i, pid in enumerate(passage_ids)}
    texts: list[str] = []
    owners: list[int] = []
    for path in _example_files(settings):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            if entry["answers"][0] not in position:
                raise ValueError(f"{path}: {entry['q']!r} cites unknown passage {entry['answers'][0]!r}")
            texts.append(str(entry["q"]))
            owners.append(position[entry["answers"][0]])
    return texts, owners


def worker_vocabulary(settings: KnowledgeSettings) -> list[str]:
    """Lower-cased words that at least two well-spelt training questions use, sorted.

    Why: the guidelines' own words are the typo corrector's only targets, so "kriseplaan"
    found no "kriseplan" (the texts say "kriseplaner"); workers' words fill such gaps."""
    counts: dict[str, int] = {}
    for path in _example_files(settings):
        for entry in yaml.safe_load(path.read_text(encoding="utf-8"))["questions"]:
            if entry.get("variety", "bokmal") in VOCABULARY_VARIETIES:
                for word in set(re.findall(r"[^\W\d_]{3,}", str(entry["q"]).lower())):
                    counts[word] = counts.get(word, 0) + 1
    return sorted(word for word, count in counts.items() if count >= VOCABULARY_MIN_QUESTIONS)


def _tuning_files(settings: KnowledgeSettings) -> list[Path]:
    files = [
        settings.tuning_dir / "questions.yml",
        *sorted(settings.tuning_dir.glob("answerable*.yml")),
        *sorted(settings.tuning_dir.glob("out_of_scope*.yml")),
    ]
    return [p for p in [*files, settings.examples_dir / "out_of_scope.yml"] if p.exists()]


def tuning_questions(settings: KnowledgeSettings) -> tuple[list[str], list[str]]:
    """Answerable and unanswerable questions for fitting the confidence (never the eval set)."""
    answerable: list[str] = []
    unanswerable: list[str] = []
    for path in _tuning_files(settings):
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        answerable += [q["q"] for q in raw.get("questions", []) if "answers" in q]
        unanswerable += [
            q["q"] for q in raw.get("out_of_scope", []) + [q for q in raw.get("questions", []) if "kind" in q]
        ]
    return answerable, unanswerable


def write_index(
    settings: KnowledgeSettings, passages: list[Passage], encoder: Encoder, semantic: SemanticEncoder | None
) -> LoadedIndex:
    """Encode every passage, example and unanswerable question with both encoders and write them
    (not the manifest: knowledge.build writes it last, so an interrupted build is never served)."""
    vectors = encoder.encode([p.search_text() for p in passages])
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(settings.index_dir / VECTORS))
    (settings.index_dir / PASSAGES).write_text(
        json.dumps([dataclasses.asdict(p) for p in passages], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    texts, owners = example_questions(settings, [p.id for p in passages])
    examples = encoder.encode(texts) if texts else np.zeros((0, vectors.shape[1]), dtype=np.float32)
    np.save(settings.index_dir / EXAMPLES, examples)
    (settings.index_dir / EXAMPLE_OWNERS).write_text(json.dumps(owners), encoding="utf-8")
    vocabulary = worker_vocabulary(settings)
    (settings.index_dir / VOCABULARY).write_text(json.dumps(vocabulary, ensure_ascii=False), encoding="utf-8")
    lexical = analyse(settings, passages, tuple(vocabulary))
    lexical.save(settings.index_dir)
    _, unanswerable_texts = tuning_questions(settings)
    unanswerable = (
        encoder.encode(unanswerable_texts) if unanswerable_texts else np.zeros((0, vectors.shape[1]), np.float32)
    )
    np.save(settings.index_dir / UNANSWERABLE, unanswerable)
    owners_array = np.asarray(owners, dtype=np.int64)
    semantic_vectors = None
    (settings.index_dir / SEMANTIC).unlink(missing_ok=True)
    if semantic is not None:
        # e5 reaches a passage only through its worker questions (knowledge.retrievers), so only
        # passages that have some are read: e5 takes 0.1-0.15 s a paragraph on one core here,
        # 20 minutes or more for a library of 10,000 paragraphs.
        answered = [passages[i].search_text() for i in sorted(set(owners))]
        semantic_vectors = SemanticVectors(
            cached_vectors(semantic, answered, settings.semantic_cache_dir, passages=True),
            cached_vectors(semantic, texts, settings.semantic_cache_dir),
            owners_array,
            cached_vectors(semantic, unanswerable_texts, settings.semantic_cache_dir),
        )
        np.savez(
            settings.index_dir / SEMANTIC,
            passages=semantic_vectors.passages,
            examples=semantic_vectors.examples,
            unanswerable=semantic_vectors.unanswerable,
        )
    manifest = expected_manifest(settings) | {
        "dimension": int(vectors.shape[1]),
        "passages": len(passages),
        "examples_count": len(texts),
        "unanswerable_count": len(unanswerable_texts),
        "semantic": semantic.name if semantic else None,
    }
    return LoadedIndex(
        passages, index, manifest, lexical, examples, owners_array, tuple(vocabulary), unanswerable, semantic_vectors
    )


def write_manifest(settings: KnowledgeSettings, manifest: dict[str, object]) -> None:
    """The last file of a build: from now on the index is served."""
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")


def check_index(settings: KnowledgeSettings) -> dict[str, object]:
    """Return the manifest if the index on disk is current, else raise StaleIndexError."""
    path = settings.index_dir / MANIFEST
    if not path.exists():
        raise StaleIndexError(f"no index in {settings.index_dir}; build it with `make index`")
    manifest: dict[str, object] = json.loads(path.read_text(encoding="utf-8"))
    expected = expected_manifest(settings)
    changed = [key for key, value in expected.items() if manifest.get(key) != value]
    if changed:
        raise StaleIndexError(
            f"index in {settings.index_dir} is stale ({', '.join(changed)} changed); run `make index`"
        )
    return manifest


def load_index(settings: KnowledgeSettings) -> LoadedIndex:
    """Load a current index; a stale or incomplete one raises StaleIndexError."""
    manifest = check_index(settings)
    rows = json.loads((settings.index_dir / PASSAGES).read_text(encoding="utf-8"))
    passages = [
        Passage(**(row | {"headings": tuple(row["headings"]), "services": tuple(row["services"])})) for row in rows
    ]
    vectors = faiss.read_index(str(settings.index_dir / VECTORS))
    if vectors.ntotal != len(passages) or manifest.get("passages") != len(passages):
        raise StaleIndexError(f"index in {settings.index_dir} is incomplete; run `make index`")
    examples = np.load(settings.index_dir / EXAMPLES)
    owners = np.asarray(json.loads((settings.index_dir / EXAMPLE_OWNERS).read_text(encoding="utf-8")), dtype=np.int64)
    unanswerable = np.load(settings.index_dir / UNANSWERABLE)
    vocabulary = tuple(json.loads((settings.index_dir / VOCABULARY).read_text(encoding="utf-8")))
    if (
        len(owners) != manifest.get("examples_count")
        or examples.shape[0] != len(owners)
        or unanswerable.shape[0] != manifest.get("unanswerable_count")
    ):
        raise StaleIndexError(f"index in {settings.index_dir} is incomplete; run `make index`")
    try:
        lexical = load_lexical(settings, vocabulary)
    except (OSError, KeyError, ValueError) as error:
        raise StaleIndexError(f"index in {settings.index_dir} has no lexicon ({error}); run `make index`") from error
    if lexical.bm25.size != len(passages):
        raise StaleIndexError(f"index in {settings.index_dir} is incomplete; run `make index`")
    semantic = _load_semantic(settings, manifest, owners) if manifest.get("semantic") else None
    return LoadedIndex(passages, vectors, manifest, lexical, examples, owners, vocabulary, unanswerable, semantic)


def _load_semantic(
    settings: KnowledgeSettings, manifest: dict[str, object], owners: npt.NDArray[np.int64]
) -> SemanticVectors:
    try:
        with np.load(settings.index_dir / SEMANTIC) as stored:
            vectors = SemanticVectors(stored["passages"], stored["examples"], owners, stored["unanswerable"])
    except (OSError, KeyError, ValueError) as error:
        raise StaleIndexError(f"index in {settings.index_dir} has no e5 vectors ({error}); run `make index`") from error
    if (
        len(vectors.passages) != len(np.unique(owners))
        or len(vectors.examples) != len(owners)
        or len(vectors.unanswerable) != manifest.get("unanswerable_count")
    ):
        raise StaleIndexError(f"index in {settings.index_dir} is incomplete; run `make index`")
    return vectors
