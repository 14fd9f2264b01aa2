"""Answer a question from the guidelines, quoting the passage and citing its source.

Two things make it a conversation rather than a search box: a short follow-up ("og DPS?",
"kva med bustad då?") is read together with the previous question when it cannot be answered
alone, and a question that still finds nothing first gets a request to rephrase, then, the
second time in a row, an offer of a human advisor.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, get_args

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.crisis import advisor_button
from actions.factories import default_engine, default_semantic
from actions.language import language_of
from contract.nynorsk import localized
from contract.payloads import REFUSED, SAFETY_METADATA, is_payload
from contract.semantic import SEMANTIC_METADATA, unpack
from knowledge.answer import Answer, Answerer
from knowledge.loaders import SemanticEncoder
from knowledge.safety import Tier, Verdict

SOURCES_SHOWN = 3
# "og DPS?", "hva med bolig da", "kva med fengsel", "enn NAV?", "men for TSB?"
FOLLOW_UP = re.compile(r"^\s*(?:og|hva med|kva med|enn|men|hvis|dersom|samme for|same for)\b", re.IGNORECASE)
FOLLOW_UP_MAX_WORDS = 6


class ActionAnswerQuestion(Action):
    """Ask the knowledge engine; quote the best passage or say honestly that it is not covered."""

    def __init__(self, engine: Answerer | None = None, semantic: SemanticEncoder | None = None) -> None:
        self._engine, self._semantic = (engine, semantic) if engine else (default_engine(), default_semantic())

    def name(self) -> str:
        return "action_answer_question"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question = tracker.latest_message.get("text") or ""
        if is_payload(question):  # a button payload carries no question to look up
            question = ""
        metadata = tracker.latest_message.get("metadata") or {}
        sent = unpack(metadata.get(SEMANTIC_METADATA))
        if sent is not None and self._semantic is not None and question:
            self._semantic.offer(question, sent)  # the gateway's e5 vector of these very words
        answer, asked = self._ask(question, tracker.get_slot("last_question"), gateway_verdict(metadata))
        language = language_of(tracker)
        if answer.reason == "crisis" and answer.short_answer:
            dispatcher.utter_message(text=localized(answer.short_answer, language), buttons=[advisor_button(language)])
            return []
        if answer.reason == "clinical":
            dispatcher.utter_message(response="utter_no_clinical_advice")
            return []
        if answer.out_of_scope or answer.answer is None:
            failed = int(tracker.get_slot("failed_attempts") or 0) + 1
            response = "utter_no_answer" if failed < 2 else "utter_offer_advisor"
            dispatcher.utter_message(response=response, json_message={REFUSED: True})  # counted for content owners
            return [SlotSet("failed_attempts", float(failed % 2)), SlotSet("advisor_offered", failed >= 2)]
        best = answer.sources[0]
        details: dict[str, Any] = {"document": best.document, "section": best.title, "quote": answer.answer}
        if answer.short_answer:
            # the map's short answer in the conversation's standard; the quote stays as the source wrote it
            details |= {"response": "utter_answer_short", "short_answer": localized(answer.short_answer, language)}
        else:
            details |= {"response": "utter_answer"}
        dispatcher.utter_message(json_message={"sources": [dataclasses.asdict(s) for s in answer.sources]}, **details)
        return [
            SlotSet("last_question", asked),
            SlotSet("last_sources", [s.id for s in answer.sources]),
            SlotSet("failed_attempts", 0.0),
            SlotSet("advisor_offered", False),
        ]

    def _ask(self, question: str, previous: str | None, verdict: Verdict | None) -> tuple[Answer, str]:
        """The answer, and the question it answers (the follow-up joined to the previous one
        when the follow-up alone finds nothing). `verdict` is the message's, also for the joined
        question: both parts were checked when they were sent."""
        answer = self._engine.ask(question, top_k=SOURCES_SHOWN, verdict=verdict)
        short = len(question.split()) <= FOLLOW_UP_MAX_WORDS
        if previous and answer.out_of_scope and answer.reason == "not_covered" and short and FOLLOW_UP.match(question):
            joined = f"{FOLLOW_UP.sub('', question).strip(' ?.,')} – {previous}"
            retry = self._engine.ask(joined, top_k=SOURCES_SHOWN, verdict=verdict)
            if not retry.out_of_scope:
                return retry, joined
        return answer, question


def gateway_verdict(metadata: dict[str, Any]) -> Verdict | None:
    """The crisis tier the gateway decided for this message (sent in its metadata), or None when
    the message did not come through the gateway: the knowledge pipeline then decides it itself."""
    sent = metadata.get(SAFETY_METADATA)
    tiers: tuple[Tier, ...] = get_args(Tier)
    return next((Verdict(tier) for tier in tiers if tier == sent), None)
