"""Direct questions to the knowledge engine, without dialogue state."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import EngineDep
from api.schemas import AskRequest, AskResponse

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.post("/ask", response_model=AskResponse, responses={503: {"description": "Index not loaded"}})
async def ask(body: AskRequest, engine: EngineDep) -> AskResponse:
    """Best passages first; `answer` is null and `out_of_scope` true when the guidelines do not cover it."""
    answer = await run_in_threadpool(engine.ask, body.question, body.top_k)
    return AskResponse.model_validate(dataclasses.asdict(answer))
