"""Load the sentence encoder named by the settings and fingerprint it for the index manifest."""

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


class EncoderLoadError(RuntimeError):
    """The configured encoder could not be loaded; the message says what to install or rebuild."""


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


def load_encoder(spec: str) -> Encoder:
    """Load a local model directory, or a model by name (needs the model hub or its local cache)."""
    from sentence_transformers import SentenceTransformer  # heavy: imported only when a model is loaded

    path = Path(spec)
    if not path.exists() and spec.startswith((".", "/", "~")):
        raise EncoderLoadError(
            f"Encoder directory {spec} does not exist. Restore it with `git checkout knowledge/models` "
            "or rebuild it with `make models`, or set ENCODER to another model."
        )
    try:
        model = SentenceTransformer(str(path) if path.exists() else spec, device="cpu")
    except Exception as error:  # the library raises many types; all mean "cannot load"
        raise EncoderLoadError(
            f"Could not load encoder {spec!r}: {error}. With internet, download it once with "
            "`python -c \"from sentence_transformers import SentenceTransformer as S; S('<name>')\"` "
            "and set HF_HUB_OFFLINE=0, or set ENCODER to a local model directory."
        ) from error
    return SentenceTransformerEncoder(model)


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
