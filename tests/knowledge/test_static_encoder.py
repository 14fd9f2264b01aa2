"""The project's encoder runs on numpy with the library's vectors, and a serving process keeps torch
out (about 220 MB each in the gateway and the action server) unless the encoder needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
from sentence_transformers import SentenceTransformer

from knowledge.encoder import SentenceTransformerEncoder, StaticEncoder, is_static_model
from knowledge.loaders import load_encoder
from knowledge.settings import DEFAULT_ENCODER, PROJECT_ROOT

TEXTS = ["", "Hvem har ansvaret for individuell plan?", "kven skal følgje opp bustad " * 60, "xqzv ## 🙂", "IP"]


def test_numpy_encoder_gives_the_sentence_transformers_vectors() -> None:
    library = SentenceTransformerEncoder(SentenceTransformer(str(DEFAULT_ENCODER), device="cpu"))
    ours = load_encoder(str(DEFAULT_ENCODER))
    assert isinstance(ours, StaticEncoder) and ours.dimension == library.dimension
    np.testing.assert_allclose(ours.encode(TEXTS), library.encode(TEXTS), atol=1e-6)


def test_only_a_lone_static_embedding_is_taken_for_a_static_model(tmp_path: Path) -> None:
    assert is_static_model(DEFAULT_ENCODER)
    assert not is_static_model(tmp_path)  # no modules.json
    (tmp_path / "modules.json").write_text(
        json.dumps(
            [
                {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
                {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
            ]
        )
    )
    assert not is_static_model(tmp_path)


PROCESS = """
import sys
from knowledge.encoder import keep_torch_out
kept_out = keep_torch_out(sys.argv[1])
from knowledge.loaders import load_spacy
load_spacy()
import thinc.compat
print(kept_out, thinc.compat.has_torch, sys.modules.get("torch") is not None)
"""


def serving_process(encoder: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", PROCESS, encoder], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_serving_process_with_the_project_encoder_never_loads_torch() -> None:
    assert serving_process(str(DEFAULT_ENCODER)) == "True False False"  # kept out; thinc runs without it


def test_serving_process_with_a_torch_encoder_keeps_torch() -> None:
    assert serving_process("sentence-transformers/paraphrase-multilingual-MiniLM-L12-v2") == "False True True"
