"""ActionAnswerQuestion quotes the guideline with its source, or says honestly that it has no answer."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import ActionAnswerQuestion
from contract.semantic import SEMANTIC_METADATA, pack
from knowledge.answer import Answer
from knowledge.loaders import SemanticEncoder
from knowledge.pipeline import KnowledgePipeline
from knowledge.safety import Tier, Verdict


def _run(action: ActionAnswerQuestion, dispatcher: CollectingDispatcher, tracker: Tracker) -> list:
    return asyncio.run(action.run(dispatcher, tracker, domain={}))


class _Recorder:
    """The real pipeline, noting the verdict each question was asked with (None: it decides)."""

    def __init__(self, engine: KnowledgePipeline) -> None:
        self._engine = engine
        self.verdicts: list[Verdict | None] = []

    def ask(self, question: str, top_k: int = 3, verdict: Verdict | None = None) -> Answer:
        self.verdicts.append(verdict)
        return self._engine.ask(question, top_k, verdict)


def test_answer_quotes_the_passage_and_attaches_its_sources(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvem har ansvaret for individuell plan?"))
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer_short"
    assert message["short_answer"].startswith("Kommunen")
    assert "koordinator" in message["quote"]
    sources = message["custom"]["sources"]
    assert sources[0]["text"] == message["quote"]
    assert message["document"] == sources[0]["document"] and message["section"] == sources[0]["title"]


def test_question_without_a_mapped_topic_is_quoted_without_a_short_answer(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvordan henger traumer og rus sammen?"))
    [message] = dispatcher.messages
    assert message["response"] == "utter_answer" and "traumer" in message["section"]


def test_dosing_question_is_sent_to_the_clinician_not_answered(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvor mye metadon skal pasienten ha?"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_clinical_advice"]


def test_question_outside_the_guidelines_gets_the_no_answer_response(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvor mye koster en pizza i Oslo?", "nlu_fallback"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]
    assert dispatcher.messages[0]["custom"] == {"refused": True}  # no sources; the gateway counts it as refused


def test_button_payload_is_not_looked_up_as_a_question(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("/ask_responsibility"))
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer"]


def test_action_name_matches_the_domain(engine: KnowledgePipeline) -> None:
    assert ActionAnswerQuestion(engine).name() == "action_answer_question"


def test_answer_remembers_the_question_and_its_sources_for_follow_ups_and_feedback(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    events = _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvem har ansvaret for individuell plan?"))
    slots = {e["name"]: e["value"] for e in events}
    assert slots["last_question"] == "Hvem har ansvaret for individuell plan?"
    assert slots["last_sources"] == [s["id"] for s in dispatcher.messages[0]["custom"]["sources"]]
    assert slots["failed_attempts"] == 0.0 and slots["advisor_offered"] is False


def test_short_follow_up_is_read_with_the_previous_question(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    """ "og DPS?" alone finds nothing; after a question about discharge it means DPS's part in it."""
    assert engine.ask("og DPS?").out_of_scope
    previous = "Hvem følger opp etter utskrivning fra døgnbehandling?"
    tracker = tracker_for("og DPS?", slots={"last_question": previous})
    events = _run(ActionAnswerQuestion(engine), dispatcher, tracker)
    [message] = dispatcher.messages
    assert message["response"] in ("utter_answer", "utter_answer_short")
    assert {e["name"]: e["value"] for e in events}["last_question"] == f"DPS – {previous}"


def test_second_miss_in_a_row_offers_an_advisor_instead_of_asking_to_rephrase_again(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker]
) -> None:
    first = _run(ActionAnswerQuestion(engine), dispatcher, tracker_for("Hvor mye koster en pizza i Oslo?"))
    second_tracker = tracker_for("Hva koster parkering i Bergen?", slots={"failed_attempts": 1.0})
    second = _run(ActionAnswerQuestion(engine), dispatcher, second_tracker)
    assert [m["response"] for m in dispatcher.messages] == ["utter_no_answer", "utter_offer_advisor"]
    assert {e["name"]: e["value"] for e in first} == {"failed_attempts": 1.0, "advisor_offered": False}
    assert {e["name"]: e["value"] for e in second} == {"failed_attempts": 0.0, "advisor_offered": True}


@pytest.mark.parametrize("tier", ["none", "uncertain"])
def test_answer_acts_on_the_gateways_crisis_tier_instead_of_checking_again(
    engine: KnowledgePipeline, dispatcher: CollectingDispatcher, tracker_for: Callable[..., Tracker], tier: Tier
) -> None:
    """The gateway checked the message already; the 113 line of "uncertain" is the gateway's to show."""
    recorder = _Recorder(engine)
    tracker = tracker_for("Hvem har ansvaret for individuell plan?", metadata={"safety": tier})
    _run(ActionAnswerQuestion(recorder), dispatcher, tracker)
    assert recorder.verdicts == [Verdict(tier)]
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_short"]


@pytest.mark.parametrize("metadata", [None, {"safety": "ingen"}])
def test_emergency_that_did_not_come_through_the_gateway_is_still_checked(
    engine: KnowledgePipeline,
    dispatcher: CollectingDispatcher,
    tracker_for: Callable[..., Tracker],
    metadata: dict[str, str] | None,
) -> None:
    """Straight to Rasa (or with a tier the contract does not know), the pipeline decides itself."""
    recorder = _Recorder(engine)
    tracker = tracker_for("hun har kuttet seg dypt i armen nå og blør mye", metadata=metadata)
    _run(ActionAnswerQuestion(recorder), dispatcher, tracker)
    assert recorder.verdicts == [None]
    [message] = dispatcher.messages
    assert "113" in message["text"] and message["buttons"][0]["payload"] == "/request_advisor"


class _OfferedTo(SemanticEncoder):
    """Stands in for e5: records the vectors the action passes on, encodes nothing."""

    def __init__(self) -> None:
        super().__init__(model=None)
        self.offers: list[tuple[str, float]] = []

    def offer(self, text: str, vector: npt.NDArray[np.float32]) -> None:
        self.offers.append((text, float(vector[3])))


@pytest.mark.parametrize(
    ("sent", "offered"),
    [("vector", [("Hvem har ansvaret for individuell plan?", 1.0)]), ("garbage", []), ("absent", [])],
)
def test_the_gateways_e5_vector_is_handed_to_the_encoder_and_a_bad_one_is_not(
    engine: KnowledgePipeline,
    dispatcher: CollectingDispatcher,
    tracker_for: Callable[..., Tracker],
    sent: str,
    offered: list[tuple[str, float]],
) -> None:
    """The retrieval need not encode the words again; a vector that is no unit vector is not trusted."""
    unit = np.zeros(384, dtype=np.float32)
    unit[3] = 1.0
    metadata = {"vector": {SEMANTIC_METADATA: pack(unit)}, "garbage": {SEMANTIC_METADATA: "AAAA"}, "absent": {}}[sent]
    semantic = _OfferedTo()
    tracker = tracker_for("Hvem har ansvaret for individuell plan?", metadata=metadata)
    _run(ActionAnswerQuestion(engine, semantic), dispatcher, tracker)
    assert semantic.offers == offered
    assert [m["response"] for m in dispatcher.messages] == ["utter_answer_short"]
