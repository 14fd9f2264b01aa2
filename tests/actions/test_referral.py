"""The referral actions: read the description, ask only for what is missing, suggest with sources."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.referral import (
    ActionAskDuration,
    ActionCorrectReferral,
    ActionStartReferral,
    ActionSuggestReferral,
    ValidateReferralForm,
)
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.settings import KnowledgeSettings


@pytest.fixture(scope="module")
def referral() -> ReferralEngine:
    return create_referral_engine(KnowledgeSettings())


def _run(action: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    return asyncio.run(action.run(dispatcher, tracker, domain={}))


def test_description_given_outright_fills_what_it_says(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    text = "Bruker med schizofreni som bruker amfetamin."
    events = _run(ActionStartReferral(referral), dispatcher, tracker_for(text, intent="describe_person"))
    assert SlotSet("person_description", text) in events and SlotSet("severity", "severe") in events
    assert SlotSet("duration", "long") not in events and dispatcher.messages == []


def test_start_over_clears_the_previous_person(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    events = _run(
        ActionStartReferral(referral), dispatcher, tracker_for("/restart_referral", intent="restart_referral")
    )
    assert events == [SlotSet("person_description", None), SlotSet("severity", None), SlotSet("duration", None)]


def test_missing_detail_is_asked_with_a_button_per_answer(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAskDuration(referral), dispatcher, tracker_for("", intent="describe_person"))
    [message] = dispatcher.messages
    assert message["text"].startswith("Hvor lenge")
    assert [b["payload"] for b in message["buttons"]] == ['/inform{"duration": "short"}', '/inform{"duration": "long"}']


def test_typed_answer_to_the_question_asked_is_understood(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    tracker = tracker_for("det har bare vart noen uker", intent="inform", slots={"requested_slot": "duration"})
    assert asyncio.run(ValidateReferralForm(referral).extract_duration(dispatcher, tracker, {})) == {
        "duration": "short"
    }
    other = tracker_for("det har bare vart noen uker", intent="inform", slots={"requested_slot": "severity"})
    assert asyncio.run(ValidateReferralForm(referral).extract_duration(dispatcher, other, {})) == {}


def test_suggestion_names_pathway_lead_and_source_and_offers_corrections(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    slots = {"person_description": "Schizofreni og amfetamin, to barn på 4 og 9.", "severity": None, "duration": "long"}
    _run(ActionSuggestReferral(referral), dispatcher, tracker_for("/inform", intent="inform", slots=slots))
    [message] = dispatcher.messages
    assert "hovedforløp 3" in message["text"] and "Kilde: Sammen om mestring" in message["text"]
    assert "barn som pårørende" in message["text"]
    assert "\n\n" not in message["text"]  # one chat bubble
    assert message["custom"]["sources"][0]["document"] == "Sammen om mestring"
    assert [b["title"] for b in message["buttons"]] == ["Endre alvorlighet", "Endre varighet", "Start på nytt"]


def test_correcting_forgets_only_the_chosen_answer(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    entity = [{"entity": "referral_slot", "value": "duration"}]
    tracker = tracker_for('/correct_referral{"referral_slot": "duration"}', intent="correct_referral", entities=entity)
    assert _run(ActionCorrectReferral(), dispatcher, tracker) == [SlotSet("duration", None)]
