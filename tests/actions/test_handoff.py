"""ActionHandoffAdvisor tells the worker how to reach a person."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoffAdvisor


def test_handoff_gives_the_configured_contact(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    action = ActionHandoffAdvisor(contact="rådgivertelefonen 400 00 000")
    events = asyncio.run(action.run(dispatcher, tracker_for("kan jeg snakke med et menneske", "request_advisor"), {}))
    assert events == [SlotSet("advisor_offered", False)]  # a later "ja" is not another request
    assert dispatcher.messages[0]["response"] == "utter_handoff"
    assert dispatcher.messages[0]["advisor_contact"] == "rådgivertelefonen 400 00 000"
    assert action.name() == "action_handoff_advisor"
