"""`.env.example` holds valid settings (tests/security/test_supervision.py checks the processes get the same values)."""

from __future__ import annotations

from dotenv import dotenv_values

from actions.settings import ActionSettings
from api.settings import Settings
from knowledge.settings import PROJECT_ROOT

EXAMPLE = PROJECT_ROOT / ".env.example"


def test_example_values_are_valid_settings() -> None:
    values = {key.lower(): value for key, value in dotenv_values(EXAMPLE).items() if value is not None}
    settings = Settings(_env_file=EXAMPLE)  # type: ignore[call-arg]
    assert settings.cors_origins == [] and settings.answer_threshold is None  # calibrated by make index
    assert ActionSettings(_env_file=EXAMPLE).advisor_contact == values["advisor_contact"]  # type: ignore[call-arg]
    assert " " in values["advisor_contact"]
