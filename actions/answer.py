"""Answer a question from the guidelines, quoting the passage and citing its source."""

from __future__ import annotations

import dataclasses
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.crisis import ADVISOR_BUTTON
from actions.factories import default_engine
from knowledge.engine import Answerer

SOURCES_SHOWN = 3


class ActionAnswerQuestion(Action):
    """Ask the knowledge engine; quote the best passage or say honestly that it is not covered."""

    def __init__(self, engine: Answerer | None = None) -> None:
        self._engine = engine or default_engine()

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        question = tracker.latest_message.get("text") or ""
        if question.startswith("/"):  # a button payload carries no question to look up
            question = ""
        answer = self._engine.ask(question, top_k=SOURCES_SHOWN)
        if answer.reason == "crisis" and answer.short_answer:
            dispatcher.utter_message(text=answer.short_answer, buttons=[ADVISOR_BUTTON])
            return []
        if answer.reason == "clinical":
            dispatcher.utter_message(response="utter_no_clinical_advice")
            return []
        if answer.out_of_scope or answer.answer is None:
            dispatcher.utter_message(response="utter_no_answer")
            return []
        best = answer.sources[0]
        details: dict[str, Any] = {"document": best.document, "section": best.title, "quote": answer.answer}
        if answer.short_answer:
            details |= {"response": "utter_answer_short", "short_answer": answer.short_answer}
        else:
            details |= {"response": "utter_answer"}
        dispatcher.utter_message(json_message={"sources": [dataclasses.asdict(s) for s in answer.sources]}, **details)
        return []
