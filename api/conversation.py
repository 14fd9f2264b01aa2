"""One chat turn, the same for every channel (widget, Teams).

Order matters: personal data is masked first, so neither Rasa's tracker store, the case
database nor a log line ever holds it; an emergency is answered next, whatever state the
dialogue or a case is in; a sender with an open case talks to the advisor, not the bot.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi.concurrency import run_in_threadpool

from api.escalation import Escalation
from api.privacy import Masker
from api.schemas import ChatMessage
from api.upstream import ADVISOR_BUTTON, RasaGateway, UpstreamUnavailable
from knowledge.safety import SafetyRules

logger = logging.getLogger(__name__)
REQUEST_ADVISOR = "/request_advisor"
# What every channel tells the worker when Rasa is down or messages come too fast.
UNAVAILABLE = "Samtaletjenesten er ikke tilgjengelig akkurat nå. Prøv igjen om litt."
TOO_FAST = "Du sender meldinger veldig fort. Vent litt og prøv igjen."


class Conversation:
    """Runs a user message through masking, the crisis check, a case or Rasa."""

    def __init__(self, gateway: RasaGateway, safety: SafetyRules, masker: Masker, escalation: Escalation) -> None:
        self._gateway = gateway
        self._safety = safety
        self._masker = masker
        self._escalation = escalation

    async def handle(
        self, sender: str, text: str, channel: str = "web", conversation: dict[str, Any] | None = None
    ) -> list[ChatMessage]:
        """The replies to one message; raises UpstreamUnavailable when only Rasa could answer."""
        payload = text.startswith("/")
        masked = text if payload else await run_in_threadpool(self._masker.mask, text)
        crisis = None if payload else await run_in_threadpool(self._safety.crisis, masked)
        emergency = ChatMessage(text=self._safety.message, buttons=[ADVISOR_BUTTON])
        case = await self._escalation.active(sender)
        if case is not None:
            replies = await self._escalation.from_worker(case, masked)
            return [emergency, *replies] if crisis is not None else replies
        if crisis is not None:
            # Rasa hears the intent, not the words: the dialogue is interrupted and the tracker
            # holds no more of the emergency than its kind.
            message = "/crisis" + json.dumps({"crisis_kind": crisis.kind})
        elif not payload and self._safety.clinical(masked):
            message = "/clinical_question"  # doses and diagnoses go to the clinician, whatever NLU thinks
        else:
            message = masked
        try:
            turn = await self._gateway.send(sender, message)
        except UpstreamUnavailable as error:
            logger.warning("chat unavailable: %s", error)
            if crisis is not None:
                return [emergency]
            if message == REQUEST_ADVISOR:  # a human can still be reached when the bot is down
                note = [("system", "Boten var utilgjengelig; samtalen før overføringen mangler.")]
                return [await self._escalation.open(sender, channel, "asked", note, conversation)]
            raise
        if turn.handoff is None:
            return turn.messages
        transcript = await self._gateway.transcript(sender)
        opened = await self._escalation.open(sender, channel, turn.handoff, transcript, conversation)
        return [*turn.messages, opened]
