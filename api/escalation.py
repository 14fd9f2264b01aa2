"""Hand a conversation to a human advisor and relay between them until the case is closed.

A case holds the conversation so far (already masked). While it is waiting or open the bot is
paused for that sender: the worker's messages go to the case, and the advisor's replies go to
the worker's channel (the widget via the hub, Teams via its connector). Closing the case gives
the conversation back to the bot.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from fastapi.concurrency import run_in_threadpool

from api.console import case_out, console_message_out
from api.hours import OpeningHours
from api.hub import ADVISORS, EventHub
from api.language import ConversationLanguages
from api.schemas import ChatMessage
from contract.nynorsk import localized
from store.cases import CaseStore
from store.models import Case, Message

Deliver = Callable[[Case, ChatMessage], Awaitable[None]]
EMERGENCY_HINT = "Ved akutt fare: ring 113, eller legevakt på 116 117."


def message_out(message: Message) -> dict[str, Any]:
    """A transcript line as the worker's channel shows it (without the advisor's account name)."""
    return {"id": message.id, "role": message.role, "text": message.text, "at": message.at.isoformat()}


class Escalation:
    """Opens cases, relays messages both ways and closes cases."""

    def __init__(
        self,
        cases: CaseStore,
        hub: EventHub,
        hours: OpeningHours,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        languages: ConversationLanguages | None = None,
    ) -> None:
        self._languages = languages or ConversationLanguages("nb")
        self._cases = cases
        self._hub = hub
        self._hours = hours
        self._clock = clock
        self._deliver: dict[str, Deliver] = {}

    def register_channel(self, channel: str, deliver: Deliver) -> None:
        """How advisor replies reach a channel other than the widget (which listens on the hub)."""
        self._deliver[channel] = deliver

    async def active(self, sender: str) -> Case | None:
        """The sender's waiting or open case: while there is one, the bot stays quiet."""
        return await run_in_threadpool(self._cases.active, sender)

    async def active_for_user(self, channel: str, user_id: str, tenant: str) -> Case | None:
        """A channel user's waiting or open case by the user id its conversation reference holds
        (a Teams case begun in a group chat or channel), for the messages of the user's 1:1 chat."""
        return await run_in_threadpool(self._cases.active_for_user, channel, user_id, tenant)

    async def open(
        self,
        sender: str,
        channel: str,
        reason: str,
        transcript: list[tuple[str, str]],
        conversation: dict[str, Any] | None = None,
    ) -> ChatMessage:
        """Create the case (or find the open one) and tell the worker what happens next."""
        case, created = await run_in_threadpool(self._cases.open, sender, channel, reason, transcript, conversation)
        if created:
            self._hub.publish(ADVISORS, {"type": "case", "case": case_out(case)})
        now, language = self._clock(), await self._languages.of(sender)
        hint = localized(EMERGENCY_HINT, language)
        if self._hours.is_open(now):
            template = (
                "Saken din (nr. {case}) er sendt til en rådgiver, som svarer her i chatten. "
                "Jeg holder meg i bakgrunnen til rådgiveren avslutter. {hint}"
            )
            return ChatMessage(text=localized(template, language).format(case=case.id, hint=hint))
        template = (
            "Rådgiverne er på jobb {hours}. Saken din (nr. {case}) er lagret: "
            "skriv gjerne det du lurer på her, så svarer en rådgiver {next}. {hint}"
        )
        hours, next_opening = self._hours.describe(language), self._hours.describe_next(now, language)
        return ChatMessage(
            text=localized(template, language).format(hours=hours, case=case.id, next=next_opening, hint=hint)
        )

    async def from_worker(self, case: Case, text: str) -> list[ChatMessage]:
        """Add the worker's (masked) message to the case; acknowledge it while nobody has taken it."""
        message = await run_in_threadpool(self._cases.add_message, case.id, "worker", text)
        self._publish_line(case, message)
        if case.status != "waiting":
            return []
        language = await self._languages.of(case.sender)
        now = self._clock()
        when = localized("snart", language) if self._hours.is_open(now) else self._hours.describe_next(now, language)
        template = localized("Meldingen er lagt til saken din. En rådgiver svarer {when}.", language)
        return [ChatMessage(text=template.format(when=when))]

    async def reply(self, case: Case, text: str, advisor_id: int) -> Message:
        """Store the advisor's reply (masked by the caller) with its author, show it to the other
        consoles and send it to the worker's channel."""
        message = await run_in_threadpool(self._cases.add_message, case.id, "advisor", text, advisor_id)
        self._publish_line(case, message)
        await self._send(case, {"type": "advisor", "message": message_out(message)}, ChatMessage(text=text))
        return message

    async def take(self, case_id: int, advisor_id: int) -> tuple[Case | None, bool]:
        """An advisor opens a waiting case; True if this advisor got it."""
        case, taken = await run_in_threadpool(self._cases.take, case_id, advisor_id)
        if taken and case is not None:
            self._hub.publish(ADVISORS, {"type": "case", "case": case_out(case)})
        return case, taken

    async def close(self, case: Case) -> Case | None:
        """Close the case; the worker is told that the bot answers again."""
        text = localized(
            "Rådgiveren har avsluttet saken. Du kan fortsette å spørre meg, eller be om en rådgiver igjen.",
            await self._languages.of(case.sender),
        )
        await run_in_threadpool(self._cases.add_message, case.id, "system", text)
        closed = await run_in_threadpool(self._cases.close, case.id)
        if closed is not None:
            self._hub.publish(ADVISORS, {"type": "case", "case": case_out(closed)})
            await self._send(closed, {"type": "closed", "case_id": closed.id, "text": text}, ChatMessage(text=text))
        return closed

    def _publish_line(self, case: Case, message: Message) -> None:
        """A new transcript line for the consoles."""
        self._hub.publish(ADVISORS, {"type": "message", "case_id": case.id, "message": console_message_out(message)})

    async def _send(self, case: Case, event: dict[str, Any], message: ChatMessage) -> None:
        """To the widget's live stream, and to the case's channel if it has its own delivery."""
        self._hub.publish(case.sender, event)
        deliver = self._deliver.get(case.channel)
        if deliver is not None:
            await deliver(case, message)
