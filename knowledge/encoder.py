"""The encoder interface the engine needs, its sentence-transformers adapter, a numpy twin of
sentence-transformers' StaticEmbedding, and the encoder's fingerprint."""

from __future__ import annotations

import hashlib
import importlib.abc
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from tokenizers import Tokenizer


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


def is_static_model(path: Path) -> bool:
    """Whether `path` is a local sentence-transformers model made of one StaticEmbedding alone, as
    the project's own encoder is: StaticEncoder computes its vectors without torch."""
    try:
        modules = json.loads((path / "modules.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    only = modules[0] if isinstance(modules, list) and len(modules) == 1 else {}
    return str(only.get("type", "")).endswith(".StaticEmbedding") and only.get("path") == ""


class StaticEncoder:
    """sentence-transformers' StaticEmbedding in numpy: the mean of the text's token rows, made
    unit length; the library's vectors, without torch (about 220 MB and a second or two of
    start-up in each process that serves)."""

    def __init__(self, tokenizer: Tokenizer, weights: npt.NDArray[np.float32]) -> None:
        tokenizer.no_padding()
        self._tokenizer = tokenizer
        self._weights = weights

    @classmethod
    def load(cls, path: Path) -> StaticEncoder:
        """The model in `path` (see is_static_model): its tokenizer and its embedding matrix."""
        from safetensors.numpy import load_file
        from tokenizers import Tokenizer

        weights = load_file(str(path / "model.safetensors"))["embedding.weight"]
        return cls(Tokenizer.from_file(str(path / "tokenizer.json")), np.ascontiguousarray(weights, dtype=np.float32))

    @property
    def dimension(self) -> int:
        """Length of one embedding."""
        return int(self._weights.shape[1])

    def encode(self, texts: list[str]) -> npt.NDArray[np.float32]:
        """Normalised embeddings (a text without known tokens is the zero vector, as in the library)."""
        vectors = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for row, encoding in enumerate(self._tokenizer.encode_batch(texts, add_special_tokens=False)):
            if encoding.ids:
                vectors[row] = self._weights[encoding.ids].mean(axis=0)
        vectors /= np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        return vectors


class _TorchKeptOut(importlib.abc.MetaPathFinder):
    """Makes `import torch` fail without touching sys.modules (libraries such as scipy look there)."""

    def find_spec(self, name: str, path: Sequence[str] | None, target: ModuleType | None = None) -> None:
        if name.split(".")[0] == "torch":
            raise ModuleNotFoundError("torch is kept out of this serving process (keep_torch_out)", name=name)


def keep_torch_out(encoder: str) -> bool:
    """Call first thing in a serving process: unless the configured encoder needs torch, make
    `import torch` fail in this process. thinc, spaCy's machine-learning library, imports torch
    whenever it is installed (about 220 MB resident, 1–2 s); our spaCy pipelines never use it, and
    the project's own encoder runs on numpy (StaticEncoder). Whether it was kept out. Lives here,
    not in knowledge.loaders, because importing that module imports spaCy."""
    if "torch" in sys.modules or not is_static_model(Path(encoder)):
        return False
    sys.meta_path.insert(0, _TorchKeptOut())
    return True


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
