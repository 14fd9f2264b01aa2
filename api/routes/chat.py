"""Chat turns through Rasa, so NLU, dialogue and custom actions all run."""

from __future__ import annotations

import logging

from fastapi import APIRouter, HTTPException

from api.deps import GatewayDep
from api.schemas import ChatRequest, ChatResponse
from api.upstream import UpstreamUnavailable

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

UNAVAILABLE = "Samtaletjenesten er ikke tilgjengelig akkurat nå. Prøv igjen om litt."


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    responses={503: {"description": "Rasa or the action server is down"}},
)
async def chat(body: ChatRequest, gateway: GatewayDep) -> ChatResponse:
    """Send one message and return the assistant's replies."""
    try:
        messages = await gateway.send(body.sender, body.message)
    except UpstreamUnavailable as error:
        logger.warning("chat unavailable: %s", error)
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from error
    return ChatResponse(messages=messages)
