"""A built index is served only while it matches the sources and the encoder."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from knowledge.assemble import assemble
from knowledge.build import build
from knowledge.encoder import Encoder
from knowledge.index import MANIFEST, StaleIndexError, check_index, load_index
from knowledge.loaders import load_semantic_encoder
from knowledge.settings import KnowledgeSettings


def build_index(settings: KnowledgeSettings, encoder: Encoder) -> dict[str, object]:
    """The index without e5 (faster; the e5 parts have their own tests below)."""
    return build(settings, encoder, None)


def test_manifest_records_encoder_dimension_and_source_hashes(
    sources_copy: KnowledgeSettings, encoder: Encoder
) -> None:
    manifest = build_index(sources_copy, encoder)
    on_disk = json.loads((sources_copy.index_dir / MANIFEST).read_text())
    assert on_disk == manifest
    assert set(manifest["sources"]) == {"rop.md", "sm.md"}
    assert manifest["dimension"] == encoder.dimension
    assert manifest["encoder"]["fingerprint"].startswith("sha256:")
    assert load_index(sources_copy).vectors.ntotal == manifest["passages"]


def test_edited_source_makes_the_index_stale(sources_copy: KnowledgeSettings, encoder: Encoder) -> None:
    build_index(sources_copy, encoder)
    path = sources_copy.sources_dir / "sm.md"
    path.write_text(path.read_text(encoding="utf-8") + "\nNytt avsnitt.\n", encoding="utf-8")
    with pytest.raises(StaleIndexError, match="sources"):
        load_index(sources_copy)


def test_other_encoder_makes_the_index_stale(sources_copy: KnowledgeSettings, encoder: Encoder) -> None:
    build_index(sources_copy, encoder)
    other = sources_copy.model_copy(update={"encoder": "sentence-transformers/some-other-model"})
    with pytest.raises(StaleIndexError, match="encoder"):
        check_index(other)


def test_missing_index_says_how_to_build_it(sources_copy: KnowledgeSettings) -> None:
    with pytest.raises(StaleIndexError, match="make index"):
        load_index(sources_copy)


def test_interrupted_build_without_manifest_is_not_served(sources_copy: KnowledgeSettings, encoder: Encoder) -> None:
    build_index(sources_copy, encoder)
    (sources_copy.index_dir / MANIFEST).unlink()
    with pytest.raises(StaleIndexError):
        load_index(sources_copy)


def test_edited_responsibility_map_makes_the_index_stale(
    sources_copy: KnowledgeSettings, encoder: Encoder, tmp_path: Path
) -> None:
    edited = tmp_path / "responsibility.yml"
    edited.write_text(sources_copy.responsibility_file.read_text(encoding="utf-8"), encoding="utf-8")
    settings = sources_copy.model_copy(update={"responsibility_file": edited})
    manifest = build_index(settings, encoder)
    assert manifest["calibration.json"]["fitted"] is True  # type: ignore[index]
    assert load_index(settings).unanswerable.shape[0] == manifest["unanswerable_count"] > 100
    edited.write_text(edited.read_text(encoding="utf-8").replace("Kommunen har", "Kommunen har alltid", 1))
    with pytest.raises(StaleIndexError, match="responsibility"):
        load_index(settings)


def test_example_questions_are_embedded_and_an_edit_to_them_makes_the_index_stale(
    sources_copy: KnowledgeSettings, encoder: Encoder, tmp_path: Path
) -> None:
    examples = tmp_path / "examples"
    examples.mkdir()
    (examples / "questions_x.yml").write_text(
        'questions:\n  - q: "Hvem lager IP?"\n    answers: ["rop:god-samhandling-3:1"]\n', encoding="utf-8"
    )
    settings = sources_copy.model_copy(update={"examples_dir": examples})
    assert build_index(settings, encoder)["examples_count"] == 1
    assert load_index(settings).examples.shape == (1, encoder.dimension)
    (examples / "questions_x.yml").write_text(
        'questions:\n  - q: "Hvem lager kriseplan?"\n    answers: ["rop:god-samhandling-3:1"]\n', encoding="utf-8"
    )
    with pytest.raises(StaleIndexError, match="examples"):
        load_index(settings)


def test_index_calibrated_on_other_features_is_stale(sources_copy: KnowledgeSettings, encoder: Encoder) -> None:
    """After an upgrade that changes the confidence model's inputs, the old index must be rebuilt,
    not fed vectors of the wrong length."""
    build_index(sources_copy, encoder)
    path = sources_copy.index_dir / MANIFEST
    manifest = json.loads(path.read_text())
    path.write_text(json.dumps(manifest | {"features": manifest["features"][:8]}))
    with pytest.raises(StaleIndexError, match="features"):
        load_index(sources_copy)


def test_with_e5_the_index_holds_its_vectors_and_both_pipelines_have_a_confidence_model(
    sources_copy: KnowledgeSettings, encoder: Encoder
) -> None:
    manifest = build(sources_copy, encoder, load_semantic_encoder(sources_copy).encoder)
    assert manifest["calibration.json"]["fitted"] is True  # type: ignore[index]
    assert manifest["calibration_semantic.json"]["fitted"] is True  # type: ignore[index]
    index = load_index(sources_copy)
    assert index.semantic is not None and len(index.semantic.passages) == manifest["passages"]
    assembled = assemble(sources_copy)
    assert assembled.knowledge is not None and assembled.knowledge.semantic and assembled.semantic == "ok"
    switched_off = assemble(sources_copy.model_copy(update={"semantic_encoder": "off"}))
    assert switched_off.knowledge is not None and not switched_off.knowledge.semantic
    assert switched_off.semantic.startswith("av")


def test_index_built_without_e5_is_served_without_it_and_health_says_why(
    sources_copy: KnowledgeSettings, encoder: Encoder
) -> None:
    build_index(sources_copy, encoder)
    assembled = assemble(sources_copy)
    assert assembled.knowledge is not None and not assembled.knowledge.semantic
    assert "make index" in assembled.semantic
    assert assembled.knowledge.ask("hvem har ansvaret for individuell plan?").answer
