"""Tracker fixture for action tests, as in Rasa's reference assistants."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher


@pytest.fixture
def tracker_for() -> Callable[..., Tracker]:
    """A tracker whose latest user message is `text` classified as `intent`, with `slots`,
    `entities`, an active form (`loop`), earlier `events` and the message's `metadata` (what
    the gateway sent with it) when a test needs them."""

    def make(
        text: str,
        intent: str = "ask_responsibility",
        slots: dict[str, Any] | None = None,
        entities: list[dict[str, Any]] | None = None,
        loop: str | None = None,
        events: list[dict[str, Any]] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> Tracker:
        latest: dict[str, Any] = {
            "text": text,
            "intent": {"name": intent, "confidence": 0.9},
            "entities": entities or [],
            "metadata": metadata or {},
        }
        return Tracker(
            sender_id="test-worker",
            slots=slots or {},
            latest_message=latest,
            events=events or [],
            paused=False,
            followup_action=None,
            active_loop={"name": loop} if loop else {},
            latest_action_name="action_listen",
        )

    return make


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()
