"""Teams fixtures: the emulated Microsoft cloud on 127.0.0.1 and a gateway configured for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from api.settings import Settings
from devstack.bot_connector import BotConnectorCloud
from tests.api.conftest import closed_port_url


def teams_settings(tmp_path: Path, cloud: BotConnectorCloud) -> Settings:
    """The gateway with Rasa down and Teams pointed at the emulated cloud (`cloud` is the
    session fixture of tests/conftest.py)."""
    teams = {key.lower(): value for key, value in cloud.settings_env().items()}
    return Settings(
        rasa_url=closed_port_url(),
        actions_url=closed_port_url(),
        environment="test",
        database_url=f"sqlite:///{tmp_path}/rop.db",
        **teams,
    )


@pytest.fixture
def settings(tmp_path: Path, cloud: BotConnectorCloud) -> Settings:
    """The gateway with Rasa down and Teams pointed at the emulated cloud."""
    return teams_settings(tmp_path, cloud)


@pytest.fixture(autouse=True)
def fresh_cloud(cloud: BotConnectorCloud) -> None:
    """Each test sees only the activities it caused."""
    cloud.sent.clear()
    cloud.fail_next.clear()
    cloud.created.clear()
