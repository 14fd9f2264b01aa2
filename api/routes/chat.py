"""Chat turns through Rasa (NLU, dialogue, custom actions), and the live stream and history
by which an advisor's replies reach the widget."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse

from api.conversation import TOO_FAST, UNAVAILABLE
from api.deps import CasesDep, ConversationDep, HubDep, LimiterDep
from api.escalation import message_out
from api.hub import EventHub
from api.schemas import ChatRequest, ChatResponse, SenderId
from api.upstream import UpstreamUnavailable

router = APIRouter(prefix="/api", tags=["chat"])

KEEPALIVE_SECONDS = 15.0
SenderPath = Annotated[SenderId, Path(description="The conversation's sender id.")]


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    responses={429: {"description": "Too many messages from this sender"}, 503: {"description": "Rasa is down"}},
)
async def chat(body: ChatRequest, conversation: ConversationDep, limiter: LimiterDep) -> ChatResponse:
    """Send one message and return the assistant's (or the case's) replies."""
    wait = limiter.hit(body.sender)
    if wait:
        raise HTTPException(status_code=429, detail=TOO_FAST, headers={"Retry-After": str(wait)})
    try:
        return ChatResponse(messages=await conversation.handle(body.sender, body.message))
    except UpstreamUnavailable as error:
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from error


@router.get("/chat/{sender}/messages")
async def advisor_messages(
    sender: SenderPath, cases: CasesDep, after: Annotated[int, Query(ge=0)] = 0
) -> list[dict[str, Any]]:
    """Advisor and system messages of the sender's latest case after id `after`: what the
    widget missed while it was closed or reloading."""
    case = await run_in_threadpool(cases.latest, sender)
    if case is None:
        return []
    return [message_out(m) for m in case.messages if m.id > after and m.role in {"advisor", "system"}]


@router.get("/chat/{sender}/events", response_class=StreamingResponse)
async def events(sender: SenderPath, hub: HubDep, request: Request) -> StreamingResponse:
    """Server-sent events: advisor replies and the end of a case, as they happen."""
    return StreamingResponse(sse(hub, sender, request), media_type="text/event-stream")


async def sse(hub: EventHub, topic: str, request: Request) -> AsyncIterator[str]:
    """A topic's events as SSE, with a comment line now and then so proxies keep it open."""
    async with hub.subscribe(topic) as queue:
        yield ": connected\n\n"
        while not await request.is_disconnected():
            try:
                event = await asyncio.wait_for(queue.get(), KEEPALIVE_SECONDS)
            except TimeoutError:
                yield ": keepalive\n\n"
                continue
            yield f"event: {event['type']}\ndata: {json.dumps(event, ensure_ascii=False)}\n\n"
