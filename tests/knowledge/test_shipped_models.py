"""The shipped encoder is the one its build manifest describes, and it loads and works offline.

CI does not retrain models; it checks that what is committed is intact and usable.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from knowledge.encoder import Encoder
from knowledge.settings import DEFAULT_ENCODER

MANIFEST = json.loads((DEFAULT_ENCODER / "build_manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("output", MANIFEST["outputs"], ids=lambda o: o["file"])
def test_every_built_file_matches_its_manifest_size_and_hash(output: dict) -> None:
    data = (DEFAULT_ENCODER / output["file"]).read_bytes()
    assert len(data) == output["bytes"]
    assert hashlib.sha256(data).hexdigest() == output["sha256"]


def test_manifest_names_its_training_data_and_stays_compact() -> None:
    files = {entry["file"] for entry in MANIFEST["inputs"]}
    assert {"corpora/norec", "corpora/ndt", "seeds"} <= {
        "/".join(f.split("/")[:2]) if f.startswith("corpora") else "seeds" for f in files
    }
    assert MANIFEST["total_output_bytes_without_manifest"] < 40_000_000


def test_encoder_gives_unit_vectors_and_ranks_a_related_passage_above_an_unrelated_one(encoder: Encoder) -> None:
    vectors = encoder.encode(
        [
            "Hvem har ansvaret for individuell plan?",
            "Hovedansvaret for utvikling og rullering av planen ligger i kommunen hos koordinator",
            "Restauranten serverte lammefilet og sjokoladekake til dessert",
        ]
    )
    assert vectors.shape == (3, MANIFEST["dimension"]) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1
