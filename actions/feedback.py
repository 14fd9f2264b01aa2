"""Thumbs up or down on an answer, kept for content owners.

Only what they need is stored: the rating, when, and which passages the answer quoted. Not
the question: workers type patient details, and a rating is useful without them.
"""

from __future__ import annotations

from typing import Any, Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.factories import default_feedback


class FeedbackSink(Protocol):
    """Where ratings go (store.feedback.FeedbackStore in the running server)."""

    def add(self, rating: str, sources: list[str]) -> object:
        """Store one rating for the answer that quoted `sources`."""


class ActionStoreFeedback(Action):
    """Thank the worker; after a thumbs down, also offer an advisor (so "ja" then means yes to it)."""

    def __init__(self, sink: FeedbackSink | None = None) -> None:
        self._sink = sink or default_feedback()

    def name(self) -> str:
        return "action_store_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list[EventType]:
        positive = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_positive"
        self._sink.add("up" if positive else "down", list(tracker.get_slot("last_sources") or []))
        dispatcher.utter_message(response="utter_feedback_positive" if positive else "utter_feedback_negative")
        return [] if positive else [SlotSet("advisor_offered", True)]
