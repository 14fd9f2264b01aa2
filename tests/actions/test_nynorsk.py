"""A conversation in nynorsk gets the actions' own words in nynorsk; guideline quotes stay as the
source wrote them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerQuestion
from actions.crisis import ActionRespondCrisis
from actions.handoff import ActionHandoffAdvisor
from actions.referral import ActionAskDuration, ActionSuggestReferral
from knowledge.pipeline import KnowledgePipeline
from knowledge.referral import ReferralEngine, create_referral_engine
from knowledge.settings import KnowledgeSettings

NYNORSK = {"language": "nn"}


@pytest.fixture(scope="module")
def referral() -> ReferralEngine:
    return create_referral_engine(KnowledgeSettings())


def _run(action: Any, dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
    return asyncio.run(action.run(dispatcher, tracker, domain={}))


def test_short_answer_is_nynorsk_and_the_quote_stays_verbatim(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    question = "Kven har ansvaret for individuell plan?"
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for(question, metadata=NYNORSK))
    [message] = dispatcher.messages
    assert message["short_answer"].startswith("Kommunen har hovudansvaret: koordinatoren i kommunen")
    passage = engine.ask(question).sources[0]
    assert message["quote"] == passage.text and "ligger i kommunen" in message["quote"]  # the guideline's bokmål


def test_the_slot_speaks_when_the_message_carries_no_language(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    tracker = tracker_for("Kven har ansvaret for bustad?", slots={"language": "nn"})
    _run(ActionAnswerQuestion(engine), dispatcher, tracker)
    assert "Kommunen har ansvaret og bør streve etter" in dispatcher.messages[0]["short_answer"]


def test_bokmal_conversation_keeps_bokmal(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    tracker = tracker_for("Hvem har ansvaret for individuell plan?", metadata={"language": "nb"})
    _run(ActionAnswerQuestion(engine), dispatcher, tracker)
    assert dispatcher.messages[0]["short_answer"].startswith("Kommunen har hovedansvaret")


def test_emergency_reply_and_hand_off_are_nynorsk(
    dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    tracker = tracker_for("/crisis", intent="crisis", metadata=NYNORSK)
    _run(ActionRespondCrisis(), dispatcher, tracker)
    _run(ActionHandoffAdvisor(), dispatcher, tracker_for("Eg vil snakke med ein rådgjevar", metadata=NYNORSK))
    crisis, handoff = dispatcher.messages[0], dispatcher.messages[1]
    assert "Ikkje la personen vere åleine" in crisis["text"]
    assert crisis["buttons"] == [{"title": "Snakk med ein rådgjevar", "payload": "/request_advisor"}]
    assert handoff["response"] == "utter_handoff"
    assert handoff["advisor_contact"] == "rådgjevartelefonen (sjå intranettet for nummer og opningstid)"


def test_referral_question_and_suggestion_are_nynorsk(
    referral: ReferralEngine, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAskDuration(referral), dispatcher, tracker_for("alvorleg", slots={"language": "nn"}))
    slots = {
        "language": "nn",
        "person_description": "Han har schizofreni, brukar amfetamin og har mista bustaden",
        "severity": "severe",
        "duration": "long",
    }
    _run(ActionSuggestReferral(referral), dispatcher, tracker_for("/inform", intent="inform", slots=slots))
    asked, suggested = dispatcher.messages
    assert asked["text"].startswith("Kor lenge har problema vart")
    assert [b["title"] for b in asked["buttons"]] == ["Kortvarige (veker til månader)", "Langvarige (meir enn eitt år)"]
    text = suggested["text"]
    assert text.startswith("Eg forstår: alvorlege og langvarige problem.")
    assert "Forslag: hovudforløp 3. Kommunen og spesialisthelsetenesta har ansvar samtidig" in text
    assert "I tillegg tilrår rettleiarane:" in text and "spesialisthelsetenesta" in text.split("Kontakt: ")[1]
    quote = suggested["custom"]["sources"][0]["text"]
    assert f"«{quote}»" in text  # the guideline's words, not translated
    assert [b["title"] for b in suggested["buttons"]] == ["Endre alvorsgrad", "Endre varigheit", "Start på nytt"]
