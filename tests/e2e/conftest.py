"""The real stack, started once for all end-to-end tests (chat API, hand-off, widget in Chromium)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from knowledge.settings import PROJECT_ROOT
from tests.bot_connector import BotConnectorCloud
from tests.e2e.browser import launch
from tests.e2e.stack import Stack, StackFailed, start_stack

ADVISOR = "rådgivertelefonen 400 00 000 (hverdager 08–15)"


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
        env = {"ADVISOR_CONTACT": ADVISOR, **cloud.settings_env()}
        running = start_stack(tmp_path_factory.mktemp("stack-logs"), env)
    except StackFailed as error:
        pytest.fail(str(error))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def advisor(stack: Stack) -> dict[str, str]:
    """An advisor created with the CLI against the stack's database; the Authorization header."""
    done = subprocess.run(
        [sys.executable, "-m", "api.admin", "add-advisor", "e2e-rådgiver"],
        cwd=PROJECT_ROOT, env=stack.env, capture_output=True, text=True, check=True,
    )  # fmt: skip
    return {"Authorization": f"Bearer {done.stdout.strip().splitlines()[-1]}"}


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Headless Debian Chromium, shared by the widget tests."""
    yield from launch()
