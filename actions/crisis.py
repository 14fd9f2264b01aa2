"""Answer an emergency at once: 113, legevakt 116 117, do not leave the person alone, and an
advisor; whatever the dialogue was doing stops."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.factories import default_safety
from actions.language import language_of
from contract.language import Language
from contract.nynorsk import localized
from contract.payloads import ADVISOR_TITLE, REQUEST_ADVISOR
from knowledge.safety import SafetyRules

ADVISOR_BUTTON = {"title": ADVISOR_TITLE, "payload": REQUEST_ADVISOR}


def advisor_button(language: Language) -> dict[str, str]:
    """The button to an advisor, titled in the conversation's written standard."""
    return {"title": localized(ADVISOR_TITLE, language), "payload": REQUEST_ADVISOR}


class ActionRespondCrisis(Action):
    """Sent for the `crisis` intent, which the gateway sets when its crisis check fires; it
    also ends any active form. A "ja" after it means yes to the advisor it offers."""

    def __init__(self, safety: SafetyRules | None = None) -> None:
        self._safety = safety or default_safety()

    def name(self) -> str:
        return "action_respond_crisis"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        language = language_of(tracker)
        dispatcher.utter_message(text=localized(self._safety.message, language), buttons=[advisor_button(language)])
        return [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("advisor_offered", True)]
