"""ActionStoreFeedback keeps the rating and the quoted passages, never the question."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from pathlib import Path

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.feedback import ActionStoreFeedback, FeedbackLog


def test_thumbs_down_is_stored_with_the_sources_and_offers_an_advisor(
    tmp_path: Path, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    log = FeedbackLog(tmp_path / "feedback.jsonl")
    slots = {"last_sources": ["rop:god-samhandling-3:1"], "last_question": "Ola Nordmann, 12345678901: hvem har IP?"}
    tracker = tracker_for("/feedback_negative", intent="feedback_negative", slots=slots)
    asyncio.run(ActionStoreFeedback(log).run(dispatcher, tracker, domain={}))
    [record] = [json.loads(line) for line in (tmp_path / "feedback.jsonl").read_text().splitlines()]
    assert record["rating"] == "down" and record["sources"] == ["rop:god-samhandling-3:1"]
    assert "Ola" not in json.dumps(record) and "12345678901" not in json.dumps(record)
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_negative"]


def test_thumbs_up_is_stored_and_thanked(
    tmp_path: Path, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    log = FeedbackLog(tmp_path / "deep" / "feedback.jsonl")
    tracker = tracker_for("/feedback_positive", intent="feedback_positive", slots={"last_sources": []})
    asyncio.run(ActionStoreFeedback(log).run(dispatcher, tracker, domain={}))
    assert json.loads((tmp_path / "deep" / "feedback.jsonl").read_text())["rating"] == "up"
    assert [m["response"] for m in dispatcher.messages] == ["utter_feedback_positive"]
