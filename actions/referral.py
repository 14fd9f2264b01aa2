"""The referral dialogue: read the description, ask for what is missing (with buttons), then
suggest a main pathway, who leads, what else to do, and the passages behind it.

The form `referral_form` (bot/domain.yml) asks for `person_description`, `severity` and
`duration`; severity and duration are read from the description when it says them, so the
form only asks for what it does not.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.factories import default_referral
from actions.language import language_of
from contract.language import Language
from contract.nynorsk import localized
from contract.payloads import REFERRAL_DETAILS, RESTART_REFERRAL, correct_referral, inform, is_payload
from knowledge.referral import Cited, Referral, ReferralEngine

DETAILS = REFERRAL_DETAILS
FOLLOW_UP_BUTTONS = [
    {"title": "Endre alvorlighet", "payload": correct_referral("severity")},
    {"title": "Endre varighet", "payload": correct_referral("duration")},
    {"title": "Start på nytt", "payload": RESTART_REFERRAL},
]


def follow_up_buttons(language: Language) -> list[dict[str, str]]:
    """FOLLOW_UP_BUTTONS titled in the conversation's written standard."""
    return [{**button, "title": localized(button["title"], language)} for button in FOLLOW_UP_BUTTONS]


def _typed_text(tracker: Tracker) -> str:
    """The user's words, or "" for a button payload."""
    text = str(tracker.latest_message.get("text") or "")
    return "" if is_payload(text) else text


class ActionStartReferral(Action):
    """Take a description given outright ("Jeg har en bruker med ...") before the form starts."""

    def __init__(self, referral: ReferralEngine | None = None) -> None:
        self._referral = referral or default_referral()

    def name(self) -> str:
        return "action_start_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        events: list[EventType] = [SlotSet(slot, None) for slot in ("person_description", *DETAILS)]
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent == "describe_person" and (text := _typed_text(tracker)):
            result = self._referral.suggest(text)
            events += [SlotSet("person_description", text)]
            events += [SlotSet(slot, value) for slot, value in _details(result).items()]
        return events


def _details(result: Referral) -> dict[str, str]:
    """The severity and duration the text states (what it does not say is left out)."""
    return {slot: getattr(result, slot) for slot in DETAILS if getattr(result, slot)}


class ValidateReferralForm(FormValidationAction):
    """Reads typed answers ("ganske alvorlig", "i mange år") the same way as the description."""

    def __init__(self, referral: ReferralEngine | None = None) -> None:
        self._referral = referral or default_referral()

    def name(self) -> str:
        return "validate_referral_form"

    def validate_person_description(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """Keep the description and fill severity and duration where it states them."""
        text = str(value or "").strip()
        if not text or is_payload(text):
            return {"person_description": None}
        result = self._referral.suggest(text)
        return {"person_description": text, **_details(result)}

    async def extract_severity(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("severity", tracker)

    async def extract_duration(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._extract("duration", tracker)

    def _extract(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """A typed answer to the question being asked; buttons fill the slot by entity."""
        text = _typed_text(tracker)
        if tracker.get_slot("requested_slot") != slot or not text:
            return {}
        value = getattr(self._referral.suggest(text), slot)
        return {slot: value} if value else {}


class _ActionAskDetail(Action):
    """Ask for one missing detail with the question and buttons of referral.yml."""

    slot = ""

    def __init__(self, referral: ReferralEngine | None = None) -> None:
        self._referral = referral or default_referral()

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        question, language = self._referral.questions[self.slot], language_of(tracker)
        options = question.options.items()
        buttons = [
            {"title": localized(title, language), "payload": inform(self.slot, value)} for value, title in options
        ]
        dispatcher.utter_message(text=localized(question.text, language), buttons=buttons)
        return []


class ActionAskSeverity(_ActionAskDetail):
    """Asks how severe the problems are."""

    slot = "severity"


class ActionAskDuration(_ActionAskDetail):
    """Asks how long the problems have lasted."""

    slot = "duration"


class ActionSuggestReferral(Action):
    """The suggestion, with what was understood, so a wrong reading can be corrected."""

    def __init__(self, referral: ReferralEngine | None = None) -> None:
        self._referral = referral or default_referral()

    def name(self) -> str:
        return "action_suggest_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        result = self._referral.suggest(
            str(tracker.get_slot("person_description") or ""),
            tracker.get_slot("severity"),
            tracker.get_slot("duration"),
        )
        language = language_of(tracker)
        dispatcher.utter_message(
            text=self._text(result, language),
            buttons=follow_up_buttons(language),
            json_message={"sources": [_source_out(s) for s in result.sources]},
        )
        return []

    def _text(self, result: Referral, language: Language) -> str:
        """Plain lines, no blank ones (the REST channel would split the message there); the rules'
        words in `language` (knowledge/nynorsk.yml), the quote as the source wrote it."""

        def say(template: str, **fields: object) -> str:
            return localized(template, language).format(**fields)

        def words(texts: list[str]) -> str:
            return ", ".join(localized(text, language) for text in texts)

        understood = [self._understood(slot, getattr(result, slot), language) for slot in DETAILS]
        lines = [say("Jeg forstår: {understood} problemer.", understood=" og ".join(understood))]
        if result.substances or result.diagnoses or result.findings:
            lines.append(say("Nevnt: {named}.", named=words([*result.diagnoses, *result.substances, *result.findings])))
        lines.append(say("Forslag: hovedforløp {pathway}. {lead}", pathway=result.pathway, lead=words([result.lead])))
        lines.append(say("Kontakt: {actors}.", actors=words(result.actors)))
        if result.recommendations:
            lines.append(say("I tillegg anbefaler veilederne:"))
            lines += [f"- {localized(r.text, language)}" for r in result.recommendations]
        first = result.sources[0]
        lines.append(f"«{first.quote}»")
        lines.append(say("Kilde: {document}, {section}", document=first.document, section=first.section))
        return "\n".join(lines)

    def _understood(self, slot: str, value: str | None, language: Language) -> str:
        """How an answer reads in a sentence: "alvorlige", "langvarige" (from the button titles)."""
        options = self._referral.questions[slot].options
        return localized(options[value], language).split(" (")[0].lower() if value in options else "ukjent"


def _source_out(source: Cited) -> dict[str, Any]:
    """The gateway's source shape; a rule's citation has no retrieval score."""
    return {
        "id": source.passage_id,
        "document": source.document,
        "title": source.section,
        "text": source.quote,
        "score": 1.0,
    }


class ActionCorrectReferral(Action):
    """Forget one answer ("Endre alvorlighet") so the form asks it again."""

    def name(self) -> str:
        return "action_correct_referral"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> list[EventType]:
        slot = next(tracker.get_latest_entity_values("referral_slot"), None)
        return [SlotSet(slot, None)] if slot in DETAILS else [SlotSet(s, None) for s in DETAILS]
