"""The encoder interface the engine needs, its sentence-transformers adapter, and its fingerprint."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt


class Encoder(Protocol):
    """What the engine needs from a sentence encoder: unit-length float32 vectors."""

    @property
    def dimension(self) -> int: ...

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]: ...


class SentenceTransformerEncoder:
    """Adapts a sentence-transformers model to `Encoder`."""

    def __init__(self, model: Any) -> None:
        self._model = model

    @property
    def dimension(self) -> int:
        """Length of one embedding."""
        method = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        return int(method())

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Normalised embeddings, so inner product is cosine similarity."""
        vectors = self._model.encode(texts, normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return np.ascontiguousarray(vectors, dtype=np.float32)


def fingerprint(spec: str) -> str:
    """Content hash of a local model directory, or the model name for hub models."""
    path = Path(spec)
    if not path.is_dir():
        return f"name:{spec}"
    digest = hashlib.sha256()
    for file in sorted(p for p in path.rglob("*") if p.is_file()):
        digest.update(file.relative_to(path).as_posix().encode())
        digest.update(file.read_bytes())
    return f"sha256:{digest.hexdigest()}"
