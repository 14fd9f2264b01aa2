"""The Teams side of a conversation: activities in, chat turns through, replies out.

Every Teams conversation (and user in it) maps to one pseudonymous sender id, so the same
Rasa tracker and advisor case serve it as for the widget. The stored conversation reference
holds only what a proactive advisor reply needs: the connector host, the conversation and the
bot's own account; no user name or e-mail. An advisor's words are for the one user who asked,
so a case begun in a group chat or channel is answered in that user's 1:1 chat with the bot:
for that reference only, the user's Teams id (`29:...`, which Teams needs to open the chat) is
stored too, and goes with the case. What the user writes in the 1:1 chat while that case is
waiting or open goes to it, as if typed in the group; once it is closed, the chat is theirs again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import SQLAlchemyError

from api.conversation import TOO_FAST, UNAVAILABLE, Conversation, TooFast
from api.escalation import Escalation
from api.identity import teams_pseudonym
from api.limits import TurnLimits
from api.schemas import ChatMessage, clean_text, refusal
from api.teams.cards import FEEDBACK, activity_for, user_text
from api.teams.connector import Connector, ConnectorError
from api.upstream import UpstreamUnavailable
from contract.language import Language
from contract.nynorsk import localized
from store.models import Case

logger = logging.getLogger(__name__)

CHANNEL = "teams"
TEXT_ONLY = "Jeg kan bare lese tekst. Skriv spørsmålet ditt med ord."
# Said in a group chat or channel instead of the hand-off message, which is the asker's alone.
PRIVATE_REPLY = "En rådgiver svarer deg i en privat chat med meg, ikke her."


class Account(BaseModel):
    """A user or bot account in an activity."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(min_length=1, max_length=512)
    name: str | None = None
    aad_object_id: str | None = Field(default=None, alias="aadObjectId")


class ConversationAccount(BaseModel):
    """The conversation an activity belongs to."""

    model_config = ConfigDict(populate_by_name=True)

    id: str = Field(min_length=1, max_length=1024)
    conversation_type: str | None = Field(default=None, alias="conversationType")
    tenant_id: str | None = Field(default=None, alias="tenantId")


class Activity(BaseModel):
    """The fields of a Bot Framework activity this bot reads; others are ignored."""

    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    type: str = Field(max_length=64)
    id: str | None = Field(default=None, max_length=512)
    channel_id: str = Field(alias="channelId", max_length=64)
    service_url: str = Field(alias="serviceUrl", pattern=r"^https?://", max_length=2048)
    from_: Account = Field(alias="from")
    recipient: Account
    conversation: ConversationAccount
    text: str | None = Field(default=None, max_length=100_000)
    name: str | None = Field(default=None, max_length=256)
    value: Any = None
    reply_to_id: str | None = Field(default=None, alias="replyToId", max_length=512)
    members_added: list[Account] = Field(default=[], alias="membersAdded")
    channel_data: dict[str, Any] = Field(default={}, alias="channelData")


@dataclass(frozen=True)
class InvokeResponse:
    """The HTTP status and body an invoke activity is answered with."""

    status: int
    body: dict[str, Any]


def sender_for(activity: Activity, secret: str) -> str:
    """A stable pseudonym for this user in this conversation (Teams ids are not stored), keyed
    with the server's secret so it cannot be computed from outside."""
    return teams_pseudonym(secret, activity.conversation.id, activity.from_.aad_object_id or activity.from_.id)


def tenant_of(activity: Activity) -> str | None:
    """The user's organisation, as Teams names it in the channel data (or the conversation)."""
    channel_tenant = activity.channel_data.get("tenant")
    tenant = channel_tenant.get("id") if isinstance(channel_tenant, dict) else None
    return tenant if isinstance(tenant, str) and tenant else activity.conversation.tenant_id


def shared(activity: Activity) -> bool:
    """A group chat or a channel: everything the bot posts there, every member sees."""
    return activity.conversation.conversation_type not in (None, "personal")


def reference_for(activity: Activity) -> dict[str, Any]:
    """What a proactive message to this user needs, and nothing more: in a shared conversation,
    the user's Teams id to open their 1:1 chat, so the rest of it never sees the advisor's words."""
    reference = {
        "serviceUrl": activity.service_url,
        "channelId": activity.channel_id,
        "conversation": {"id": activity.conversation.id, "tenantId": tenant_of(activity)},
        "bot": {"id": activity.recipient.id, "name": activity.recipient.name},
    }
    if shared(activity):
        reference["user"] = {"id": activity.from_.id}
    return reference


class TeamsBot:
    """Answers Teams activities and delivers advisor replies to Teams conversations."""

    def __init__(
        self,
        conversation: Conversation,
        escalation: Escalation,
        connector: Connector,
        limits: TurnLimits,
        tenant_id: str,
        secret: str,
    ) -> None:
        self._conversation = conversation
        self._escalation = escalation
        self._connector = connector
        self._limits = limits
        self._tenant_id = tenant_id
        self._secret = secret

    def from_our_tenant(self, activity: Activity) -> bool:
        """A single-tenant bot talks only to users of its own organisation."""
        return not self._tenant_id or tenant_of(activity) == self._tenant_id

    async def on_activity(self, activity: Activity) -> InvokeResponse | None:
        """Handle one verified activity; invokes get a response for the HTTP reply."""
        if activity.type == "message":
            await self._on_message(activity, activity.text)
        elif activity.type == "conversationUpdate":
            if any(member.id == activity.recipient.id for member in activity.members_added):
                # The bot was just added: introduce itself.
                await self._turn(activity, sender_for(activity, self._secret), "/greet")
        elif activity.type == "invoke":
            return await self._on_invoke(activity)
        return None

    async def _on_message(self, activity: Activity, typed: str | None) -> None:
        text = user_text(typed)
        sender = await self._writer(activity)
        language = await self._conversation.languages.of(sender)
        if not text:
            await self._reply(activity, [ChatMessage(text=localized(TEXT_ONLY, language))], language)
            return
        try:
            text = clean_text(text)
        except ValueError as error:  # too long: the same Norwegian message as the widget gets
            await self._reply(activity, [ChatMessage(text=refusal(error, language))], language)
            return
        await self._send(activity, {"type": "typing"})
        await self._turn(activity, sender, text)

    async def _writer(self, activity: Activity) -> str:
        """Whose conversation a typed message belongs to: in a user's 1:1 chat, that of their waiting
        or open case begun in a group chat or channel (its advisor answers in this chat), found by the
        user's Teams id and tenant; otherwise, or if the database cannot say, this chat's own. A case
        of the 1:1 chat's own comes first."""
        own = sender_for(activity, self._secret)
        tenant = tenant_of(activity)
        if shared(activity) or not tenant:
            return own
        try:
            case = await self._escalation.active_for_user(CHANNEL, activity.from_.id, tenant)
            if case is None or await self._escalation.active(own) is not None:
                return own
        except SQLAlchemyError as error:  # the chat still answers, as the user's own
            logger.warning("group case not checked (database): %s", error)
            return own
        return case.sender

    async def _on_invoke(self, activity: Activity) -> InvokeResponse:
        """Teams' own 👍/👎 under an answer; other invokes are not used by this bot."""
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.name == "message/submitAction" and value.get("actionName") == "feedback":
            action = value.get("actionValue")
            reaction = action.get("reaction") if isinstance(action, dict) else None
            if reaction in FEEDBACK:
                # Only the rating is kept, like the widget's thumbs: a typed comment can hold
                # patient details and is not stored.
                await self._turn(activity, sender_for(activity, self._secret), FEEDBACK[reaction])
                return InvokeResponse(200, {})
            return InvokeResponse(400, {"error": "unknown reaction"})
        return InvokeResponse(501, {"error": f"invoke {activity.name!r} is not handled"})

    async def _turn(self, activity: Activity, sender: str, text: str) -> None:
        """One chat turn of `sender` (masking, crisis check, rate limit, case or Rasa), answered in
        the activity's conversation."""
        problem = ""
        may_open = shared(activity) and await self._has_case(sender) is False
        try:
            turn = self._conversation.turn(
                sender, text, lambda: self._limits.hit(sender), CHANNEL, reference_for(activity)
            )
            replies = (await turn).messages
        except TooFast:
            replies, problem = [], TOO_FAST
        except UpstreamUnavailable:
            replies, problem = [], UNAVAILABLE
        language = await self._conversation.languages.of(sender)  # as the turn left it
        if problem:
            replies = [ChatMessage(text=localized(problem, language))]
        elif may_open and replies and await self._has_case(sender):
            # The hand-off message (the turn's last) is the user's own: the group hears only where answers go.
            replies = [*replies[:-1], ChatMessage(text=localized(PRIVATE_REPLY, language))]
        await self._reply(activity, replies, language)

    async def _has_case(self, sender: str) -> bool | None:
        """Whether the sender has a waiting or open case; None when the database cannot say."""
        try:
            return await self._escalation.active(sender) is not None
        except SQLAlchemyError as error:
            logger.warning("open case not checked (database): %s", error)
            return None

    async def _reply(self, activity: Activity, messages: list[ChatMessage], language: Language) -> None:
        for message in messages:
            await self._send(activity, activity_for(message, language))

    async def _send(self, activity: Activity, outgoing: dict[str, Any]) -> None:
        """Post to the activity's conversation as a reply; a failure is logged, not raised,
        so Teams does not resend a message whose turn already ran."""
        outgoing = {
            **outgoing,
            "from": activity.recipient.model_dump(by_alias=True, exclude_none=True),
            "conversation": {"id": activity.conversation.id},
            "replyToId": activity.id,
        }
        try:
            await self._connector.send(activity.service_url, activity.conversation.id, outgoing, activity.id)
        except ConnectorError as error:
            logger.warning("teams reply not delivered: %s", error)

    async def deliver(self, case: Case, message: ChatMessage) -> None:
        """An advisor's reply (or the end of the case), sent proactively to the case's conversation,
        or to the user's 1:1 chat when the case began in a group chat or channel. Undelivered, it
        stays in the case for the console."""
        reference = case.conversation or {}
        try:
            card = activity_for(message, await self._conversation.languages.of(case.sender))
            conversation = await self._private_chat(reference) if "user" in reference else reference["conversation"]
            outgoing = {**card, "from": reference["bot"], "conversation": conversation}
            await self._connector.send(reference["serviceUrl"], conversation["id"], outgoing)
        except (KeyError, TypeError) as error:
            logger.error("case %s has no usable Teams conversation reference: %s", case.id, error)
        except ConnectorError as error:
            logger.warning("advisor reply for case %s not delivered to Teams: %s", case.id, error)

    async def _private_chat(self, reference: dict[str, Any]) -> dict[str, Any]:
        """The user's 1:1 chat with the bot, opened through the connector (Teams answers with the
        same chat each time, so nothing more is stored)."""
        tenant = reference["conversation"]["tenantId"]
        conversation_id = await self._connector.create_conversation(
            reference["serviceUrl"],
            {
                "bot": reference["bot"],
                "members": [reference["user"]],
                "tenantId": tenant,
                "isGroup": False,
                "channelData": {"tenant": {"id": tenant}},
            },
        )
        return {"id": conversation_id, "tenantId": tenant}
