"""Thumbs up or down on an answer, kept for content owners.

Only what they need is stored: the rating, when, which passages the answer quoted, the question
it answered and the channel. The question is the `last_question` slot, which holds the text as
the gateway masked it before Rasa saw it; nothing says who rated.
"""

from __future__ import annotations

from typing import Protocol

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.factories import default_feedback
from contract.payloads import CHANNEL_METADATA


class FeedbackSink(Protocol):
    """Where ratings go (store.feedback.FeedbackStore in the running server)."""

    def add(self, rating: str, sources: list[str], question: str | None = None, channel: str | None = None) -> object:
        """Store one rating for the answer that quoted `sources` and answered `question` (masked)."""


class ActionStoreFeedback(Action):
    """Thank the worker; after a thumbs down, also offer an advisor (so "ja" then means yes to it)."""

    def __init__(self, sink: FeedbackSink | None = None) -> None:
        self._sink = sink or default_feedback()

    def name(self) -> str:
        return "action_store_feedback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        positive = (tracker.latest_message.get("intent") or {}).get("name") == "feedback_positive"
        channel = (tracker.latest_message.get("metadata") or {}).get(CHANNEL_METADATA)
        sources = list(tracker.get_slot("last_sources") or [])
        self._sink.add("up" if positive else "down", sources, tracker.get_slot("last_question"), channel)
        dispatcher.utter_message(response="utter_feedback_positive" if positive else "utter_feedback_negative")
        return [] if positive else [SlotSet("advisor_offered", True)]
