"""ActionHandoffAdvisor hands over to a person and tells the gateway why."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.handoff import ActionHandoffAdvisor

CRISIS = [{"event": "action", "name": "action_respond_crisis"}, {"event": "user", "text": "ja"}]


def test_handoff_says_an_advisor_takes_over_and_gives_the_contact(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    action = ActionHandoffAdvisor(contact="rådgivertelefonen 400 00 000")
    events = asyncio.run(action.run(dispatcher, tracker_for("kan jeg snakke med et menneske", "request_advisor"), {}))
    assert events == [SlotSet("advisor_offered", False)]  # a later "ja" is not another request
    assert dispatcher.messages[0]["response"] == "utter_handoff"
    assert dispatcher.messages[0]["advisor_contact"] == "rådgivertelefonen 400 00 000"
    assert action.name() == "action_handoff_advisor"


@pytest.mark.parametrize(
    ("slots", "events", "reason"),
    [({}, [], "asked"), ({"advisor_offered": True}, [], "fallback"), ({"advisor_offered": True}, CRISIS, "crisis")],
)
def test_the_gateway_is_told_why_the_worker_was_handed_over(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker], slots: dict, events: list, reason: str
) -> None:
    tracker = tracker_for("ja", "affirm", slots=slots, events=events)
    asyncio.run(ActionHandoffAdvisor(contact="x").run(dispatcher, tracker, {}))
    assert dispatcher.messages[-1]["custom"] == {"handoff": reason}
