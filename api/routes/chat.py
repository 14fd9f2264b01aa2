"""Web conversations: the gateway issues each its identity, then chat turns go through Rasa
(NLU, dialogue, custom actions), and advisor replies reach the widget live and as history."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.conversation import TOO_FAST, UNAVAILABLE, TooFast
from api.deps import (
    NO_CONVERSATION,
    AddressDep,
    CasesDep,
    ConversationDep,
    ConversationIdDep,
    HubDep,
    LimitsDep,
    SettingsDep,
    StartLimitDep,
)
from api.errors import InLanguage
from api.escalation import message_out
from api.hub import EventHub, HubUnavailable
from api.identity import issue_conversation
from api.schemas import ChatRequest, ChatResponse, NewConversation
from api.upstream import UpstreamUnavailable
from contract.nynorsk import localized

router = APIRouter(prefix="/api", tags=["chat"])

KEEPALIVE_SECONDS = 15.0
AUTH: dict[int | str, dict[str, Any]] = {401: {"description": NO_CONVERSATION}}


@router.post("/conversations", status_code=201, responses={429: {"description": "Too many new conversations"}})
async def start_conversation(settings: SettingsDep, start_limit: StartLimitDep, address: AddressDep) -> NewConversation:
    """Start a web conversation. Keep `token` for as long as the conversation lasts and send it
    as `Authorization: Bearer <token>` to the chat, history and event endpoints."""
    wait = await start_limit.hit(address)
    if wait:
        raise HTTPException(status_code=429, detail=TOO_FAST, headers={"Retry-After": str(wait)})
    conversation_id, token, expires = issue_conversation(settings.secret_key, settings.conversation_hours)
    return NewConversation(conversation_id=conversation_id, token=token, expires_at=expires, language=settings.language)


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    responses={**AUTH, 429: {"description": "Too many messages"}, 503: {"description": "Rasa is down"}},
)
async def chat(
    body: ChatRequest, sender: ConversationIdDep, address: AddressDep, conversation: ConversationDep, limits: LimitsDep
) -> ChatResponse:
    """Send one message and return the assistant's (or the case's) replies. An emergency is
    answered even when the sender is over the rate limit or Rasa is down."""
    try:
        replies = await conversation.turn(sender, body.message, lambda: limits.hit(sender, address))
        return ChatResponse(messages=replies.messages, stored=replies.stored, language=replies.language)
    except TooFast as error:
        detail = localized(TOO_FAST, await conversation.languages.of(sender))
        raise InLanguage(status_code=429, detail=detail, headers={"Retry-After": str(error.wait)}) from error
    except UpstreamUnavailable as error:
        raise InLanguage(
            status_code=503, detail=localized(UNAVAILABLE, await conversation.languages.of(sender))
        ) from error


@router.get("/chat/messages", responses=AUTH)
async def advisor_messages(
    sender: ConversationIdDep, cases: CasesDep, after: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0
) -> list[dict[str, Any]]:
    """Advisor and system messages of this conversation's latest case after id `after`: what the
    widget missed while it was closed or reloading."""
    case = await run_in_threadpool(cases.latest, sender)
    if case is None:
        return []
    return [message_out(m) for m in case.messages if m.id > after and m.role in {"advisor", "system"}]


@router.get("/chat/events", response_class=StreamingResponse, responses=AUTH)
async def events(sender: ConversationIdDep, hub: HubDep, request: Request) -> StreamingResponse:
    """Server-sent events: advisor replies and the end of a case, as they happen."""
    return StreamingResponse(sse(hub, sender, request), media_type="text/event-stream")


async def sse(hub: EventHub, topic: str, request: Request) -> AsyncIterator[str]:
    """A topic's events as SSE, with a comment line now and then so proxies keep it open. The
    stream ends when live events are down or had a gap: the client reconnects and fetches from
    the database what it missed."""
    try:
        async with hub.subscribe(topic) as queue:
            yield ": connected\n\n"
            while not await request.is_disconnected():
                try:
                    event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
                except TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if event is None:
                    return
                yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
    except HubUnavailable:
        yield ": live events are down, reconnect later\n\n"
