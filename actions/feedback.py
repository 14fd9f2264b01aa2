"""Thumbs up or down on an answer, kept for content owners.

Only what they need is stored: the rating, when, and which passages the answer quoted. Not
the question: workers type patient details, and a rating is useful without them.
"""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.factories import settings


class FeedbackLog:
    """Appends one JSON line per rating; safe across the action server's threads."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._lock = threading.Lock()

    def add(self, rating: str, sources: list[str]) -> dict[str, Any]:
        """Store a rating ("up" or "down") for the answer that quoted `sources`."""
        record = {"at": datetime.now(UTC).isoformat(timespec="seconds"), "rating": rating, "sources": sources}
        with self._lock:
            self._path.parent.mkdir(parents=True, exist_ok=True)
            with self._path.open("a", encoding="utf-8") as file:
                file.write(json.dumps(record, ensure_ascii=False) + "\n")
        return record


class ActionStoreFeedback(Action):
    """Thank the worker; after a thumbs down, also offer an advisor."""

    def __init__(self, log: FeedbackLog | None = None) -> None:
        self._log = log or FeedbackLog(settings().feedback_file)

    def name(self) -> str:
        return "action_store_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        positive = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_positive"
        self._log.add("up" if positive else "down", list(tracker.get_slot("last_sources") or []))
        dispatcher.utter_message(response="utter_feedback_positive" if positive else "utter_feedback_negative")
        return []
