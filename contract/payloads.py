"""Payloads: the "/intent{json}" strings that cross gateway -> Rasa -> actions -> buttons.

Rasa reads any message starting with "/" as an intent with entities, skipping NLU. A client
could use that to send text that is neither masked nor crisis-checked, so the gateway lets
only the exact strings the project's own buttons send through as payloads (`ButtonPayloads`);
everything else is free text. The internal payloads (crisis, clinical question) are made by
the gateway after its own checks and are never accepted from a client.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

PREFIX = "/"
REQUEST_ADVISOR = "/request_advisor"
DENY = "/deny"
GREET = "/greet"
FEEDBACK_POSITIVE = "/feedback_positive"
FEEDBACK_NEGATIVE = "/feedback_negative"
RESTART_REFERRAL = "/restart_referral"
CLINICAL_QUESTION = "/clinical_question"
# The referral details a button may set or correct (slots of referral_form).
REFERRAL_DETAILS = ("severity", "duration")
ADVISOR_TITLE = "Snakk med en rådgiver"
# The key of the gateway's crisis tier ("none", "uncertain") in the metadata it sends with each
# message, so the answer action acts on the same verdict instead of deciding it again.
SAFETY_METADATA = "safety"
# The channel ("web", "teams") in the same metadata, so a rating is stored with it.
CHANNEL_METADATA = "channel"
# The custom payload key the answer action sends with "not in the guidelines", so the gateway can
# count the question as refused for the insights page.
REFUSED = "refused"
# The custom payload key of the FAQ answers (data/nlu/faq.yml), so the gateway counts them as answered.
FAQ = "faq"


def payload(intent: str, entities: Mapping[str, str] | None = None) -> str:
    """The canonical payload string for an intent and its entities."""
    return f"{PREFIX}{intent}{json.dumps(dict(entities), ensure_ascii=False) if entities else ''}"


def crisis(kind: str) -> str:
    """What Rasa hears instead of an emergency's words: only its kind."""
    return payload("crisis", {"crisis_kind": kind})


def inform(slot: str, value: str) -> str:
    """A referral-form answer button."""
    return payload("inform", {slot: value})


def correct_referral(slot: str) -> str:
    """The button that asks again for one referral detail."""
    return payload("correct_referral", {"referral_slot": slot})


def intent_of(text: str) -> str:
    """The intent name of a payload ("/inform{...}" -> "inform")."""
    return text.removeprefix(PREFIX).split("{", 1)[0]


def _parsed(text: str) -> tuple[str, dict[str, str]]:
    """A payload's intent and entities (ValueError if its JSON is broken)."""
    intent, brace, entities = text.removeprefix(PREFIX).partition("{")
    return intent, (json.loads(brace + entities) if brace else {})


def with_entity(text: str, name: str, value: str) -> str:
    """The payload `text` with one more entity: Rasa runs no NLU on a payload, so a slot that NLU
    would fill from the message's metadata hears it only this way."""
    intent, entities = _parsed(text)
    return payload(intent, {**entities, name: value})


def without_entity(text: str, name: str) -> str:
    """The payload as its button sent it, without an entity `with_entity` added."""
    intent, entities = _parsed(text)
    return payload(intent, {key: value for key, value in entities.items() if key != name})


def is_payload(text: str) -> bool:
    """Whether Rasa would read `text` as a payload rather than words."""
    return text.startswith(PREFIX)


class ButtonPayloads:
    """The exact payloads the project's buttons send; only these may skip masking and the crisis
    check, because they carry no words of the user's."""

    def __init__(self, options: Mapping[str, Iterable[str]]) -> None:
        """`options`: each referral detail's button values (from referral.yml's questions)."""
        fixed = {REQUEST_ADVISOR, DENY, GREET, FEEDBACK_POSITIVE, FEEDBACK_NEGATIVE, RESTART_REFERRAL}
        fixed |= {correct_referral(slot) for slot in REFERRAL_DETAILS}
        fixed |= {inform(slot, value) for slot in REFERRAL_DETAILS for value in options.get(slot, ())}
        self._allowed = frozenset(fixed)

    def allows(self, text: str) -> bool:
        """Whether `text` is exactly one of the project's button payloads."""
        return text in self._allowed

    @property
    def allowed(self) -> frozenset[str]:
        """Every allowed payload (for tests and documentation)."""
        return self._allowed


def as_words(text: str) -> str:
    """Free text that starts like a payload loses its leading slashes, so Rasa runs NLU on it
    instead of taking it as an intent ("?" if nothing is left)."""
    return (text.lstrip(PREFIX + " \t") or "?") if is_payload(text) else text
