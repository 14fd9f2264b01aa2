"""The shipped language models are the ones their build manifests describe, and they work.

CI does not retrain models (`make models` takes about an hour); it checks that what is
committed is intact, compact, traceable to its training data, and usable offline.
"""

from __future__ import annotations

import hashlib
import json
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pytest

from knowledge.encoder import Encoder
from knowledge.settings import DEFAULT_ENCODER, PROJECT_ROOT

MODELS = PROJECT_ROOT / "knowledge" / "models"
ENCODER = json.loads((DEFAULT_ENCODER / "build_manifest.json").read_text(encoding="utf-8"))
VECTORS_DIR = MODELS / "nb-floret-v1"
VECTORS = json.loads((VECTORS_DIR / "build_manifest.json").read_text(encoding="utf-8"))
SPACY_DIR = MODELS / "spacy"
SPACY = json.loads((SPACY_DIR / "build_manifest.json").read_text(encoding="utf-8"))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _shipped_files() -> list[tuple[Path, int, str]]:
    files = [(DEFAULT_ENCODER / o["file"], o["bytes"], o["sha256"]) for o in ENCODER["outputs"]]
    files += [(VECTORS_DIR / o["file"], o["bytes"], o["sha256"]) for o in VECTORS["outputs"]]
    files.append((SPACY_DIR / SPACY["wheel"]["file"], SPACY["wheel"]["bytes"], SPACY["wheel"]["sha256"]))
    return files


@pytest.mark.parametrize(("path", "size", "sha256"), _shipped_files(), ids=lambda v: getattr(v, "name", ""))
def test_every_shipped_model_file_matches_its_manifest(path: Path, size: int, sha256: str) -> None:
    assert path.stat().st_size == size, f"{path} changed size; rebuild with make models"
    assert _sha256(path) == sha256, f"{path} changed content; rebuild with make models"


def test_all_shipped_models_together_stay_compact() -> None:
    total = sum(size for _, size, _ in _shipped_files())
    assert total < 60_000_000, f"{total / 1e6:.1f} MB of models"


def test_manifests_name_the_corpora_they_were_trained_on() -> None:
    for manifest in (ENCODER, VECTORS):
        files = {entry["file"] for entry in manifest["inputs"]}
        assert any(f.startswith("corpora/norec/") for f in files)
        assert any(f.startswith("corpora/ndt/ndt/nob/") for f in files)
        assert any(f.startswith("corpora/ndt/ndt/nno/") for f in files)
        assert any(f.startswith("seeds/") for f in files)
    assert "no_bokmaal-ud-test" in SPACY["training_data"]["test"]


def test_encoder_was_built_from_the_shipped_vectors_and_the_current_training_data() -> None:
    assert ENCODER["vectors"][0]["sha256"] == VECTORS["outputs"][0]["sha256"]
    for entry in ENCODER["training_data"]["files"]:
        assert _sha256(PROJECT_ROOT / entry["file"]) == entry["sha256"], (
            f"{entry['file']} changed since the encoder was trained; rebuild it with make models"
        )


def test_spacy_pipeline_was_built_with_the_shipped_vectors_and_reports_its_ud_scores() -> None:
    assert SPACY["vectors"]["sha256"] == VECTORS["outputs"][0]["sha256"]
    scores = SPACY["ud_test_scores"]
    assert {"pos_acc", "lemma_acc", "morph_acc", "dep_las", "ents_f"} <= set(scores)
    assert scores["pos_acc"] > 0.93 and scores["lemma_acc"] > 0.93


def test_installed_spacy_pipeline_is_the_shipped_wheel() -> None:
    assert version("nb_rop_core") == SPACY["version"]


def test_fine_tuning_improved_the_encoder_on_held_back_training_questions() -> None:
    history = ENCODER["held_back_scores"]
    kept = next(h for h in history if h["epoch"] == ENCODER["kept_epoch"])
    assert kept["mrr"] > history[0]["mrr"]


def test_encoder_gives_unit_vectors_and_ranks_a_related_passage_above_an_unrelated_one(encoder: Encoder) -> None:
    vectors = encoder.encode(
        [
            "Hvem har ansvaret for individuell plan?",
            "Hovedansvaret for utvikling og rullering av planen ligger i kommunen hos koordinator",
            "Restauranten serverte lammefilet og sjokoladekake til dessert",
        ]
    )
    assert vectors.shape == (3, ENCODER["dimension"]) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.1


def test_word_vectors_give_a_misspelt_word_a_vector_near_the_right_one() -> None:
    import spacy
    from spacy.training.initialize import convert_vectors

    nlp = spacy.blank("nb")
    convert_vectors(nlp, VECTORS_DIR / "vectors.floret.gz", truncate=0, prune=-1, mode="floret")
    words = ["koordinator", "kordinator", "kommune", "kommunne", "sjokoladekake"]
    table = nlp.vocab.vectors.get_batch(words)
    unit = table / np.linalg.norm(table, axis=1, keepdims=True)
    sims = unit @ unit.T
    assert sims[0, 1] > 0.8 and sims[2, 3] > 0.7
    assert sims[0, 1] > sims[0, 4] + 0.3
