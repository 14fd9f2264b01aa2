"""ActionStoreFeedback keeps the rating, the quoted passages, the question as the gateway masked it and the
channel; nothing about who rated."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionStoreFeedback
from store.database import make_engine, migrate, session_factory
from store.feedback import FeedbackStore


@pytest.fixture
def store(tmp_path: Path) -> FeedbackStore:
    engine = make_engine(f"sqlite:///{tmp_path}/rop.db")
    migrate(engine)
    return FeedbackStore(session_factory(engine))


def test_thumbs_down_is_stored_with_the_sources_the_masked_question_and_the_channel_and_offers_an_advisor(
    store: FeedbackStore, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    masked = "[navn], [fødselsnummer]: hvem har IP?"  # the slot holds what the gateway sent Rasa
    slots = {"last_sources": ["rop:god-samhandling-3:1"], "last_question": masked}
    metadata = {"safety": "none", "channel": "teams"}
    tracker = tracker_for("/feedback_negative", intent="feedback_negative", slots=slots, metadata=metadata)
    events = asyncio.run(ActionStoreFeedback(store).run(dispatcher, tracker, domain={}))
    [record] = store.all()
    assert record.rating == "down" and record.sources == ["rop:god-samhandling-3:1"]
    assert (record.question, record.channel) == (masked, "teams")
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_negative"]
    assert events == [SlotSet("advisor_offered", True)]  # so a typed "ja" takes the offer


def test_thumbs_up_is_stored_and_thanked(
    store: FeedbackStore, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    tracker = tracker_for("/feedback_positive", intent="feedback_positive", slots={"last_sources": []})
    events = asyncio.run(ActionStoreFeedback(store).run(dispatcher, tracker, domain={}))
    assert events == []
    assert [f.rating for f in store.all()] == ["up"]
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_positive"]
