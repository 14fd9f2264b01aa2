"""Load the expensive objects once per process, when the action server starts."""

from __future__ import annotations

from functools import cache

from actions.settings import ActionSettings
from knowledge.engine import Answerer, create_engine


@cache
def settings() -> ActionSettings:
    """The action server's settings, read once."""
    return ActionSettings()


@cache
def default_engine() -> Answerer:
    """The knowledge engine named by the settings, loaded on first use."""
    return create_engine(settings())
