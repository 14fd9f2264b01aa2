"""Direct questions to the knowledge engine, without dialogue state."""

from __future__ import annotations

import dataclasses

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import EngineDep, SettingsDep
from api.schemas import AskRequest, AskResponse
from contract.language import written_standard
from contract.nynorsk import localized

router = APIRouter(prefix="/api", tags=["knowledge"])


@router.post("/ask", response_model=AskResponse, responses={503: {"description": "Index not loaded"}})
async def ask(body: AskRequest, engine: EngineDep, settings: SettingsDep) -> AskResponse:
    """Best passages first; `answer` is null and `out_of_scope` true when the guidelines do not cover it.
    `short_answer` and `emergency_hint` come in the question's written standard (else `LANGUAGE`);
    `answer` and the sources are the guidelines' own words."""
    answer = await run_in_threadpool(engine.ask, body.question, body.top_k)
    language = written_standard(body.question) or settings.language
    short, hint = answer.short_answer, answer.emergency_hint
    answer = dataclasses.replace(
        answer,
        short_answer=localized(short, language) if short else short,
        emergency_hint=localized(hint, language) if hint else hint,
    )
    return AskResponse.model_validate(dataclasses.asdict(answer))
