"""One chat turn, the same for every channel (widget, Teams).

Order matters. Personal data is masked first, so neither Rasa's tracker store, the case
database nor a log line ever holds it; only the exact payloads of the project's own buttons
skip masking, since they carry no words. The crisis check comes next, before rate limits and
before any upstream call: an emergency is answered by the gateway itself, whatever state
Rasa, the dialogue or a case is in. A sender with an open case talks to the advisor, not the bot.
Emergencies and questions answered or refused are noted for the insights page in the background,
so the database never delays a reply.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.exc import SQLAlchemyError

from api.advisor_request import wants_advisor
from api.escalation import Escalation
from api.language import ConversationLanguages
from api.privacy import Masker
from api.schemas import ChatMessage
from api.upstream import RasaGateway, UpstreamUnavailable, advisor_button
from contract import payloads
from contract.handoff import ASKED
from contract.language import LANGUAGE_METADATA, Language
from contract.nynorsk import localized
from contract.semantic import SEMANTIC_METADATA, pack
from knowledge.safety import EMERGENCY_HINT, NO_CRISIS, SafetyRules, Verdict
from store.insights import ANSWERED, REFUSED, InsightStore

if TYPE_CHECKING:
    from knowledge.loaders import SemanticEncoder

logger = logging.getLogger(__name__)
# What every channel tells the worker when Rasa is down or messages come too fast.
UNAVAILABLE = "Samtaletjenesten er ikke tilgjengelig akkurat nå. Prøv igjen om litt."
TOO_FAST = "Du sender meldinger veldig fort. Vent litt og prøv igjen."
BOT_DOWN_NOTE = "Boten var utilgjengelig; samtalen før overføringen mangler."


class TooFast(Exception):
    """The sender, its address or the gateway is over its rate limit; `wait` is in seconds."""

    def __init__(self, wait: int) -> None:
        super().__init__(f"rate limited for {wait} s")
        self.wait = wait


@dataclass(frozen=True)
class Incoming:
    """A user message after screening: masked words (or an allowed button payload) and the
    crisis verdict (certain: the emergency reply; uncertain: the normal turn under one 113 line)."""

    text: str
    button: bool
    verdict: Verdict
    vector: str | None = None  # the words' e5 vector, packed to go to Rasa with them (contract.semantic)


@dataclass(frozen=True)
class Replies:
    """What the assistant answers to one message, the message as it was kept (masked; None for a
    button) so a client can keep the masked text instead of the typed one, and the conversation's
    written standard, so a client can write its own words in it too."""

    messages: list[ChatMessage]
    stored: str | None
    language: Language = "nb"


class Conversation:
    """Runs a user message through masking, the crisis check, a case or Rasa."""

    def __init__(
        self,
        gateway: RasaGateway,
        safety: SafetyRules,
        masker: Masker,
        escalation: Escalation,
        buttons: payloads.ButtonPayloads,
        insights: InsightStore,
        semantic: SemanticEncoder | None = None,
        languages: ConversationLanguages | None = None,
    ) -> None:
        self._gateway = gateway
        self.languages = languages or ConversationLanguages("nb")
        self._semantic = semantic
        self._safety = safety
        self._masker = masker
        self._escalation = escalation
        self._buttons = buttons
        self._insights = insights
        self._background: set[asyncio.Task[Any]] = set()

    async def screen(self, text: str) -> Incoming:
        """Mask the words and check them for an emergency; no upstream service is asked."""
        if self._buttons.allows(text):
            return Incoming(text, button=True, verdict=NO_CRISIS)
        return await run_in_threadpool(self._screen_words, text)

    def _screen_words(self, text: str) -> Incoming:
        """Masking, the crisis check and the e5 vector in one trip to the threadpool (each trip costs a
        thread switch; the crisis check has encoded the words already, so the vector is a cache hit)."""
        masked = payloads.as_words(self._masker.mask(text))
        verdict = self._safety.verdict(masked)
        vector = pack(self._semantic.encode_one(masked)) if self._semantic and not verdict.certain else None
        return Incoming(masked, button=False, verdict=verdict, vector=vector)

    async def turn(
        self,
        sender: str,
        text: str,
        over_limit: Callable[[], Awaitable[int]],
        channel: str = "web",
        conversation: dict[str, Any] | None = None,
    ) -> Replies:
        """The replies to one message. An emergency is answered even over the rate limit (then
        nothing else is done with it); otherwise raises TooFast, or UpstreamUnavailable when only
        Rasa could answer."""
        self._gateway.probe_soon()  # Rasa's readiness is checked while the message is screened
        incoming = await self.screen(text)
        stored = None if incoming.button else incoming.text
        languages = self.languages
        language = await (languages.of(sender) if incoming.button else languages.follow(sender, incoming.text))
        if incoming.verdict.tier != "none":
            self._note(channel, incoming.verdict.tier)
        wait = await over_limit()
        if incoming.verdict.certain:
            return Replies(await self._emergency(sender, incoming, language, forward=not wait), stored, language)
        if not incoming.verdict.uncertain:
            if wait:
                raise TooFast(wait)
            return Replies(await self._handle(sender, incoming, channel, conversation, language), stored, language)
        # Maybe an emergency: the 113 line comes first, and no limit or outage may hide it.
        hint = ChatMessage(text=localized(EMERGENCY_HINT, language))
        if wait:
            return Replies([hint, ChatMessage(text=localized(TOO_FAST, language))], stored, language)
        try:
            replies = await self._handle(sender, incoming, channel, conversation, language)
        except UpstreamUnavailable:
            replies = [ChatMessage(text=localized(UNAVAILABLE, language), buttons=[advisor_button(language)])]
        return Replies([hint, *replies], stored, language)

    async def _emergency(self, sender: str, incoming: Incoming, language: Language, forward: bool) -> list[ChatMessage]:
        """113 and 116 117 from the gateway itself; Rasa hears only the emergency's kind, in the
        background, so a slow or dead Rasa cannot delay the answer."""
        emergency = ChatMessage(text=localized(self._safety.message, language), buttons=[advisor_button(language)])
        if not forward or incoming.verdict.kind is None:
            return [emergency]
        try:
            case = await self._escalation.active(sender)
            if case is not None:
                return [emergency, *await self._escalation.from_worker(case, incoming.text)]
        except Exception:  # the case database must not stand between a worker and 113
            logger.exception("emergency: the case could not be checked")
            return [emergency]
        self._in_background(self._tell_rasa(sender, payloads.crisis(incoming.verdict.kind)))
        return [emergency]

    def _in_background(self, work: Coroutine[Any, Any, None]) -> None:
        """Run `work` without making the reply wait for it (kept referenced until it ends)."""
        task = asyncio.create_task(work)
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def _note(self, channel: str, kind: str, text: str | None = None) -> None:
        """Record an insight event in the background; a failure is logged, never shown."""

        async def write() -> None:
            try:
                await run_in_threadpool(self._insights.add, channel, kind, text)
            except Exception as error:  # the insights page must not cost a worker an answer
                logger.warning("insight event not stored: %s", error)

        self._in_background(write())

    async def _tell_rasa(self, sender: str, message: str) -> None:
        """Let the dialogue know (it ends a form and offers an advisor); its reply is not needed."""
        try:
            await self._gateway.send(sender, message)
        except UpstreamUnavailable as error:
            logger.warning("emergency not passed to Rasa: %s", error)

    async def _handle(
        self, sender: str, incoming: Incoming, channel: str, conversation: dict[str, Any] | None, language: Language
    ) -> list[ChatMessage]:
        """An ordinary turn: to the open case, or through Rasa."""
        try:
            case = await self._escalation.active(sender)
        except SQLAlchemyError as error:  # cases are in the database; while it is away, Rasa still answers
            logger.warning("open case not checked (database): %s", error)
            case = None
        if case is not None:
            return await self._escalation.from_worker(case, incoming.text)
        message = incoming.text
        if not incoming.button and self._safety.clinical(incoming.text):
            message = payloads.CLINICAL_QUESTION  # doses and diagnoses go to the clinician, whatever NLU thinks
        try:
            # The answer action acts on the gateway's verdict instead of deciding it again.
            metadata = {
                payloads.SAFETY_METADATA: incoming.verdict.tier,
                payloads.CHANNEL_METADATA: channel,
                LANGUAGE_METADATA: language,  # Rasa's `language` slot picks the responses' nynorsk
            }
            if incoming.vector is not None and message == incoming.text:
                metadata[SEMANTIC_METADATA] = incoming.vector  # Rasa and the actions need not encode it again
            turn = await self._gateway.send(sender, message, metadata)
        except UpstreamUnavailable as error:
            logger.warning("chat unavailable: %s", error)
            asked = message == payloads.REQUEST_ADVISOR or (not incoming.button and wants_advisor(message))
            if asked:  # a human can still be reached when the bot is down
                note = [("system", BOT_DOWN_NOTE)]
                return [await self._escalation.open(sender, channel, ASKED, note, conversation)]
            raise
        if turn.answered or turn.refused:
            self._note(channel, ANSWERED if turn.answered else REFUSED, incoming.text)
        if turn.handoff is None:
            return turn.messages
        transcript = await self._gateway.transcript(sender)
        opened = await self._escalation.open(sender, channel, turn.handoff, transcript, conversation)
        return [*turn.messages, opened]
