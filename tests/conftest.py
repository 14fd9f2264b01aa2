"""Shared fixtures, each built once per test run: a real knowledge engine over the real sources,
and the real stack (every Procfile process, Microsoft's side of Teams, Chromium) for the
end-to-end and attack tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from devstack.bot_connector import BotConnectorCloud
from devstack.stack import ADVISOR_CONTACT, Stack, StackFailed, start_stack
from knowledge.assemble import assemble
from knowledge.build import build
from knowledge.encoder import Encoder
from knowledge.loaders import load_encoder, load_semantic_encoder
from knowledge.pipeline import KnowledgePipeline
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings
from tests.e2e.browser import launch


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The project's default offline encoder."""
    return load_encoder(KnowledgeSettings().encoder)


@pytest.fixture(scope="session")
def knowledge_settings(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeSettings:
    """Real sources and encoder, index in a temporary folder (the developer's var/ stays untouched)."""
    return KnowledgeSettings(index_dir=tmp_path_factory.mktemp("index"))


@pytest.fixture(scope="session")
def engine(knowledge_settings: KnowledgeSettings, encoder: Encoder) -> KnowledgePipeline:
    """The knowledge pipeline over a freshly built index."""
    build(knowledge_settings, encoder, load_semantic_encoder(knowledge_settings).encoder)
    knowledge = assemble(knowledge_settings).knowledge
    assert knowledge is not None
    return knowledge


@pytest.fixture
def sources_copy(tmp_path: Path) -> KnowledgeSettings:
    """Settings over a private copy of the sources, for tests that edit them."""
    defaults = KnowledgeSettings()
    sources = tmp_path / "sources"
    sources.mkdir()
    for path in defaults.sources_dir.glob("*.md"):
        (sources / path.name).write_text(path.read_text(encoding="utf-8"), encoding="utf-8")
    return KnowledgeSettings(sources_dir=sources, index_dir=tmp_path / "index")


@pytest.fixture(scope="session")
def cloud() -> Iterator[BotConnectorCloud]:
    """Microsoft's side of Teams (connector, token issuer, signing keys) on 127.0.0.1."""
    with BotConnectorCloud() as running:
        yield running


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory, cloud: BotConnectorCloud) -> Iterator[Stack]:
    """Start every Procfile process as `make run` would, wait for /health, stop them at the end."""
    if not (PROJECT_ROOT / "models" / "rop-veiviser.tar.gz").exists():
        pytest.fail("no trained Rasa model: run `make train` (make test does)")
    try:
        env = {"ADVISOR_CONTACT": ADVISOR_CONTACT, **cloud.settings_env()}
        running = start_stack(tmp_path_factory.mktemp("stack-logs"), env)
    except StackFailed as error:
        pytest.fail(str(error))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def advisor(stack: Stack) -> dict[str, str]:
    """An advisor created with the CLI against the stack's database; the Authorization header."""
    return stack.add_advisor("e2e-rådgiver")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, shared by the widget tests."""
    yield from launch()
