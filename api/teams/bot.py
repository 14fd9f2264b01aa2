"""The Teams side of a conversation: activities in, chat turns through, replies out.

Every Teams conversation (and user in it) maps to one pseudonymous sender id, so the same
Rasa tracker and advisor case serve it as for the widget. The stored conversation reference
holds only what a proactive advisor reply needs: the connector host, the conversation and the
bot's own account; no user name or e-mail.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from api.conversation import TOO_FAST, UNAVAILABLE, Conversation, TooFast
from api.identity import teams_pseudonym
from api.limits import TurnLimits
from api.schemas import ChatMessage, clean_text
from api.teams.cards import FEEDBACK, activity_for, user_text
from api.teams.connector import Connector, ConnectorError
from api.upstream import UpstreamUnavailable
from store.models import Case

logger = logging.getLogger(__name__)

CHANNEL = "teams"
TEXT_ONLY = "Jeg kan bare lese tekst. Skriv spørsmålet ditt med ord."


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


def reference_for(activity: Activity) -> dict[str, Any]:
    """What a proactive message to this conversation needs, and nothing more."""
    return {
        "serviceUrl": activity.service_url,
        "channelId": activity.channel_id,
        "conversation": {"id": activity.conversation.id, "tenantId": activity.conversation.tenant_id},
        "bot": {"id": activity.recipient.id, "name": activity.recipient.name},
    }


class TeamsBot:
    """Answers Teams activities and delivers advisor replies to Teams conversations."""

    def __init__(
        self, conversation: Conversation, connector: Connector, limits: TurnLimits, tenant_id: str, secret: str
    ) -> None:
        self._conversation = conversation
        self._connector = connector
        self._limits = limits
        self._tenant_id = tenant_id
        self._secret = secret

    def from_our_tenant(self, activity: Activity) -> bool:
        """A single-tenant bot talks only to users of its own organisation."""
        channel_tenant = activity.channel_data.get("tenant")
        tenant = (
            channel_tenant.get("id") if isinstance(channel_tenant, dict) else None
        ) or activity.conversation.tenant_id
        return not self._tenant_id or tenant == self._tenant_id

    async def on_activity(self, activity: Activity) -> InvokeResponse | None:
        """Handle one verified activity; invokes get a response for the HTTP reply."""
        if activity.type == "message":
            await self._on_message(activity, activity.text)
        elif activity.type == "conversationUpdate":
            if any(member.id == activity.recipient.id for member in activity.members_added):
                await self._turn(activity, "/greet")  # the bot was just added: introduce itself
        elif activity.type == "invoke":
            return await self._on_invoke(activity)
        return None

    async def _on_message(self, activity: Activity, typed: str | None) -> None:
        text = user_text(typed)
        if not text:
            await self._reply(activity, [ChatMessage(text=TEXT_ONLY)])
            return
        try:
            text = clean_text(text)
        except ValueError as error:  # too long: the same Norwegian message as the widget gets
            await self._reply(activity, [ChatMessage(text=str(error))])
            return
        await self._send(activity, {"type": "typing"})
        await self._turn(activity, text)

    async def _on_invoke(self, activity: Activity) -> InvokeResponse:
        """Teams' own 👍/👎 under an answer; other invokes are not used by this bot."""
        value = activity.value if isinstance(activity.value, dict) else {}
        if activity.name == "message/submitAction" and value.get("actionName") == "feedback":
            action = value.get("actionValue")
            reaction = action.get("reaction") if isinstance(action, dict) else None
            if reaction in FEEDBACK:
                # Only the rating is kept, like the widget's thumbs: a typed comment can hold
                # patient details and is not stored.
                await self._turn(activity, FEEDBACK[reaction])
                return InvokeResponse(200, {})
            return InvokeResponse(400, {"error": "unknown reaction"})
        return InvokeResponse(501, {"error": f"invoke {activity.name!r} is not handled"})

    async def _turn(self, activity: Activity, text: str) -> None:
        """One chat turn (masking, crisis check, rate limit, case or Rasa) and its replies to Teams."""
        sender = sender_for(activity, self._secret)
        try:
            turn = self._conversation.turn(
                sender, text, lambda: self._limits.hit(sender), CHANNEL, reference_for(activity)
            )
            replies = (await turn).messages
        except TooFast:
            replies = [ChatMessage(text=TOO_FAST)]
        except UpstreamUnavailable:
            replies = [ChatMessage(text=UNAVAILABLE)]
        await self._reply(activity, replies)

    async def _reply(self, activity: Activity, messages: list[ChatMessage]) -> None:
        for message in messages:
            await self._send(activity, activity_for(message))

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
        """An advisor's reply (or the end of the case), sent proactively to the case's conversation."""
        reference = case.conversation or {}
        try:
            outgoing = {**activity_for(message), "from": reference["bot"], "conversation": reference["conversation"]}
            await self._connector.send(reference["serviceUrl"], reference["conversation"]["id"], outgoing)
        except (KeyError, TypeError) as error:
            logger.error("case %s has no usable Teams conversation reference: %s", case.id, error)
        except ConnectorError as error:
            logger.warning("advisor reply for case %s not delivered to Teams: %s", case.id, error)
