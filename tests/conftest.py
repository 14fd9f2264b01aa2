"""Shared fixtures: one real knowledge engine over the real sources, built once per test run."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.encoder import Encoder
from knowledge.engine import KnowledgeEngine, create_engine
from knowledge.index import build_index
from knowledge.loaders import load_encoder
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The project's default offline encoder."""
    return load_encoder(KnowledgeSettings().encoder)


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    """Real sources and encoder, index in a temporary folder (the developer's var/ stays untouched)."""
    return KnowledgeSettings(index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def engine(knowledge_settings: KnowledgeSettings, encoder: Encoder) -> KnowledgeEngine:
    """An engine over a freshly built index."""
    build_index(knowledge_settings, encoder)
    return create_engine(knowledge_settings)


@pytest.fixture
def sources_copy(tmp_path: Path) -> KnowledgeSettings:
    """Settings over a private copy of the sources, for tests that edit them."""
    defaults = KnowledgeSettings()
    sources = tmp_path / "sources"
    sources.mkdir()
    for path in defaults.sources_dir.glob("*.md"):
        (sources / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return KnowledgeSettings(sources_dir=sources, index_dir=tmp_path / "index")
