"""Chat turns through Rasa, so NLU, dialogue and custom actions all run.

An emergency is recognised here, before Rasa, so it is answered the same way in every
channel and every state of the dialogue, and even when Rasa is down. Requests for clinical
advice are recognised here too, by the same rules as in /api/ask."""

from __future__ import annotations

import json
import logging

from fastapi import APIRouter, HTTPException
from fastapi.concurrency import run_in_threadpool

from api.deps import GatewayDep, SafetyDep
from api.schemas import ChatMessage, ChatRequest, ChatResponse
from api.upstream import ADVISOR_BUTTON, UpstreamUnavailable

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["chat"])

UNAVAILABLE = "Samtaletjenesten er ikke tilgjengelig akkurat nå. Prøv igjen om litt."


@router.post(
    "/chat",
    response_model=ChatResponse,
    response_model_exclude_none=True,
    responses={503: {"description": "Rasa or the action server is down"}},
)
async def chat(body: ChatRequest, gateway: GatewayDep, safety: SafetyDep) -> ChatResponse:
    """Send one message and return the assistant's replies."""
    message = body.message
    crisis = None if message.startswith("/") else await run_in_threadpool(safety.crisis, message)
    if crisis is not None:
        # Rasa hears the intent, not the words: the dialogue is interrupted and the tracker
        # holds no more of the emergency than its kind.
        message = "/crisis" + json.dumps({"crisis_kind": crisis.kind})
    elif not message.startswith("/") and safety.clinical(message):
        message = "/clinical_question"  # doses and diagnoses go to the clinician, whatever NLU thinks
    try:
        messages = await gateway.send(body.sender, message)
    except UpstreamUnavailable as error:
        logger.warning("chat unavailable: %s", error)
        if crisis is not None:
            return ChatResponse(messages=[ChatMessage(text=safety.message, buttons=[ADVISOR_BUTTON])])
        raise HTTPException(status_code=503, detail=UNAVAILABLE) from error
    return ChatResponse(messages=messages)
