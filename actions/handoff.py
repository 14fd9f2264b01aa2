"""Tell the worker how to reach a human advisor."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.factories import settings


class ActionHandoffAdvisor(Action):
    """Give the configured advisor contact; live hand-off replaces this later."""

    def __init__(self, contact: str | None = None) -> None:
        self._contact = contact or settings().advisor_contact

    def name(self) -> str:
        return "action_handoff_advisor"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        dispatcher.utter_message(response="utter_handoff", advisor_contact=self._contact)
        return [SlotSet("advisor_offered", False)]
