"""ActionRespondCrisis answers an emergency at once and stops whatever form was running."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ActionRespondCrisis
from knowledge.crisis_model import create_safety_rules
from knowledge.settings import KnowledgeSettings


def test_emergency_gets_113_legevakt_and_an_advisor_and_ends_the_form(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    action = ActionRespondCrisis(create_safety_rules(KnowledgeSettings()))
    tracker = tracker_for('/crisis{"crisis_kind": "suicide"}', intent="crisis", loop="referral_form")
    events = asyncio.run(action.run(dispatcher, tracker, domain={}))
    [message] = dispatcher.messages
    assert "113" in message["text"] and "116 117" in message["text"] and "alene" in message["text"]
    assert message["buttons"] == [{"title": "Snakk med en rådgiver", "payload": "/request_advisor"}]
    assert events == [ActiveLoop(None), SlotSet("requested_slot", None), SlotSet("advisor_offered", True)]
