"""The domain and the Python actions agree, and responses render as one bubble each."""

from __future__ import annotations

import yaml

from actions.answer import ActionAnswerQuestion
from actions.crisis import ActionRespondCrisis
from actions.feedback import ActionStoreFeedback
from actions.handoff import ActionHandoffAdvisor
from actions.referral import (
    ActionAskDuration,
    ActionAskSeverity,
    ActionCorrectReferral,
    ActionStartReferral,
    ActionSuggestReferral,
    ValidateReferralForm,
)
from knowledge.settings import PROJECT_ROOT

DOMAIN = yaml.safe_load((PROJECT_ROOT / "bot" / "domain.yml").read_text(encoding="utf-8"))


def _texts() -> list[tuple[str, str]]:
    return [(name, v["text"]) for name, variants in DOMAIN["responses"].items() for v in variants]


def test_every_custom_action_in_the_domain_is_implemented() -> None:
    classes = (
        ActionAnswerQuestion,
        ActionHandoffAdvisor,
        ActionRespondCrisis,
        ActionStartReferral,
        ValidateReferralForm,
        ActionAskSeverity,
        ActionAskDuration,
        ActionSuggestReferral,
        ActionCorrectReferral,
        ActionStoreFeedback,
    )
    implemented = {cls.name(cls.__new__(cls)) for cls in classes}
    assert set(DOMAIN["actions"]) == implemented


def test_no_response_is_split_into_several_bubbles() -> None:
    """Rasa's REST channel turns a blank line into a new message."""
    assert [name for name, text in _texts() if "\n\n" in text] == []


def test_responses_the_actions_fill_in_have_their_variables() -> None:
    texts = dict(_texts())
    assert all(v in texts["utter_answer"] for v in ("{quote}", "{document}", "{section}"))
    assert "{advisor_contact}" in texts["utter_handoff"]


def test_every_way_out_offers_a_human_advisor() -> None:
    for name in (
        "utter_out_of_scope",
        "utter_no_answer",
        "utter_default",
        "utter_feedback_negative",
        "utter_bot_challenge",
    ):
        buttons = DOMAIN["responses"][name][0].get("buttons", [])
        assert {"title": "Snakk med en rådgiver", "payload": "/request_advisor"} in buttons, name


def test_greeting_names_the_emergency_number() -> None:
    assert "113" in DOMAIN["responses"]["utter_greet"][0]["text"]


def test_nlu_has_one_file_per_intent_topic() -> None:
    files = {p.stem for p in (PROJECT_ROOT / "data" / "nlu").glob("*.yml")}
    assert files == {
        "greet",
        "goodbye",
        "thank",
        "responsibility",
        "advisor",
        "out_of_scope",
        "crisis",
        "referral",
        "describe_person",
        "clinical",
        "faq",
        "affirm_deny",
        "feedback",
        "bot",
        "lookups",
        "domain_terms",
    }
