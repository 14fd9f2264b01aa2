"""Build the search index from the sources and load it back, refusing a stale one.

The manifest next to the index records the sources' hashes, the synonym file and
the encoder, so a change to any of them is detected at load time, not served.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path

import faiss

from knowledge.documents import Passage, load_sources
from knowledge.encoder import Encoder, fingerprint
from knowledge.settings import KnowledgeSettings

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
PASSAGES = "passages.json"
VECTORS = "dense.faiss"


class StaleIndexError(RuntimeError):
    """The index on disk does not match the sources or the encoder; rebuild with `make index`."""


@dataclass(frozen=True)
class LoadedIndex:
    """Passages and their dense vectors, in the same order."""

    passages: list[Passage]
    vectors: faiss.Index
    manifest: dict[str, object]


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def expected_manifest(settings: KnowledgeSettings) -> dict[str, object]:
    """What the manifest must say for the current sources, synonyms and encoder."""
    sources = {p.name: _sha256(p) for p in sorted(settings.sources_dir.glob("*.md"))}
    synonyms = _sha256(settings.synonyms_file) if settings.synonyms_file.exists() else None
    return {
        "format": FORMAT_VERSION,
        "sources": sources,
        "synonyms": synonyms,
        "encoder": {"spec": settings.encoder, "fingerprint": fingerprint(settings.encoder)},
    }


def build_index(settings: KnowledgeSettings, encoder: Encoder) -> dict[str, object]:
    """Encode every passage, write index, passages and manifest; return the manifest."""
    started = time.perf_counter()
    _, passages = load_sources(settings.sources_dir)
    vectors = encoder.encode([p.search_text() for p in passages])
    index = faiss.IndexFlatIP(vectors.shape[1])
    index.add(vectors)
    manifest = expected_manifest(settings) | {
        "dimension": int(vectors.shape[1]),
        "passages": len(passages),
        "build_seconds": round(time.perf_counter() - started, 3),
    }
    settings.index_dir.mkdir(parents=True, exist_ok=True)
    faiss.write_index(index, str(settings.index_dir / VECTORS))
    (settings.index_dir / PASSAGES).write_text(
        json.dumps([dataclasses.asdict(p) for p in passages], ensure_ascii=False, indent=1), encoding="utf-8"
    )
    # The manifest goes last: a build interrupted before this point leaves no valid index.
    (settings.index_dir / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    return manifest


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
    passages = [Passage(**(row | {"headings": tuple(row["headings"])})) for row in rows]
    vectors = faiss.read_index(str(settings.index_dir / VECTORS))
    if vectors.ntotal != len(passages) or manifest.get("passages") != len(passages):
        raise StaleIndexError(f"index in {settings.index_dir} is incomplete; run `make index`")
    return LoadedIndex(passages=passages, vectors=vectors, manifest=manifest)
