"""Hand the conversation to a human advisor.

The gateway sees the `handoff` payload, opens a case with the conversation so far and tells
the worker when an advisor will answer; the bot then stays quiet until the case is closed.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.factories import settings
from actions.language import language_of
from contract.handoff import ASKED, CRISIS, FALLBACK
from contract.nynorsk import localized

RECENT_EVENTS = 12


def handoff_reason(tracker: Tracker) -> str:
    """Why the worker is handed over: after an emergency, after the bot could not answer
    (it offered the advisor), or because the worker asked."""
    recent = tracker.events[-RECENT_EVENTS:]
    if any(e.get("event") == "action" and e.get("name") == "action_respond_crisis" for e in recent):
        return CRISIS
    return FALLBACK if tracker.get_slot("advisor_offered") else ASKED


class ActionHandoffAdvisor(Action):
    """Say that an advisor takes over (with the advisors' own contact as a fallback) and mark
    the turn for the gateway."""

    def __init__(self, contact: str | None = None) -> None:
        self._contact = contact or settings().advisor_contact

    def name(self) -> str:
        return "action_handoff_advisor"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[dict[str, Any]]:
        contact = localized(self._contact, language_of(tracker))  # the default has a nynorsk form
        dispatcher.utter_message(response="utter_handoff", advisor_contact=contact)
        dispatcher.utter_message(json_message={"handoff": handoff_reason(tracker)})
        return [SlotSet("advisor_offered", False)]
