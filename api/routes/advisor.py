"""The advisor side of a hand-off: log in, see the queue, read a transcript, reply, close."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import CurrentAdvisor, issue_session
from api.deps import AdvisorsDep, CasesDep, EscalationDep, HubDep, SettingsDep
from api.escalation import case_out, message_out
from api.hub import ADVISORS
from api.routes.chat import sse
from api.schemas import UserText
from api.store.cases import ACTIVE, STATUSES, CaseStore
from api.store.models import Case

router = APIRouter(prefix="/api/advisor", tags=["advisor"])
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The case number.")]  # a larger id overflowed SQLite
NOT_FOUND = "Fant ikke saken."
WRONG_LOGIN = "Feil navn eller passord."


class Login(BaseModel):
    """Console login with the password from `python -m api.admin`."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class ConsoleSession(BaseModel):
    """A console session: send `token` as `Authorization: Bearer ...`."""

    token: str
    expires_at: int
    name: str


class Reply(BaseModel):
    """An advisor's message to the worker."""

    model_config = ConfigDict(extra="forbid")
    text: UserText


@router.post("/login", responses={401: {"description": WRONG_LOGIN}})
async def login(body: Login, advisors: AdvisorsDep, settings: SettingsDep) -> ConsoleSession:
    """Exchange name and password for a session token."""
    advisor = await run_in_threadpool(advisors.by_password, body.name, body.password)
    if advisor is None:
        raise HTTPException(status_code=401, detail=WRONG_LOGIN)
    token, expires = issue_session(settings.secret_key, advisor.id, settings.console_session_hours)
    return ConsoleSession(token=token, expires_at=expires, name=advisor.name)


@router.get("/cases")
async def cases_queue(
    advisor: CurrentAdvisor,
    cases: CasesDep,
    status: Annotated[list[str] | None, Query(description="waiting, open, closed (default waiting and open)")] = None,
) -> list[dict[str, Any]]:
    """The queue, oldest first, each case with its transcript."""
    wanted = tuple(status or ACTIVE)
    if any(s not in STATUSES for s in wanted):
        raise HTTPException(status_code=422, detail="Ukjent status. Bruk waiting, open eller closed.")
    return [case_out(c) for c in await run_in_threadpool(cases.list, wanted)]


async def _case(cases: CaseStore, case_id: int) -> Case:
    """The case, or 404."""
    case: Case | None = await run_in_threadpool(cases.get, case_id)
    if case is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    return case


@router.get("/cases/{case_id}", responses={404: {"description": NOT_FOUND}})
async def case_detail(case_id: CaseId, advisor: CurrentAdvisor, cases: CasesDep) -> dict[str, Any]:
    """One case with its transcript."""
    return case_out(await _case(cases, case_id))


@router.post("/cases/{case_id}/take", responses={404: {"description": NOT_FOUND}})
async def take_case(
    case_id: CaseId, advisor: CurrentAdvisor, cases: CasesDep, escalation: EscalationDep
) -> dict[str, Any]:
    """Open a waiting case: the advisor takes it."""
    await _case(cases, case_id)
    case = await escalation.take(case_id, advisor.id)
    assert case is not None
    return case_out(case)


@router.post(
    "/cases/{case_id}/messages",
    responses={404: {"description": NOT_FOUND}, 409: {"description": "The case is closed"}},
)
async def reply(
    case_id: CaseId, body: Reply, advisor: CurrentAdvisor, cases: CasesDep, escalation: EscalationDep
) -> dict[str, Any]:
    """Send a reply to the worker (live in the widget, proactively in Teams)."""
    case = await _case(cases, case_id)
    if case.status == "closed":
        raise HTTPException(status_code=409, detail="Saken er avsluttet.")
    if case.status == "waiting":
        case = await escalation.take(case_id, advisor.id) or case
    return message_out(await escalation.reply(case, body.text))


@router.post("/cases/{case_id}/close", responses={404: {"description": NOT_FOUND}})
async def close_case(
    case_id: CaseId, advisor: CurrentAdvisor, cases: CasesDep, escalation: EscalationDep
) -> dict[str, Any]:
    """Close the case: the bot answers the worker again."""
    case = await _case(cases, case_id)
    if case.status != "closed":
        case = await escalation.close(case) or case
    return case_out(case)


@router.get("/events", response_class=StreamingResponse)
async def advisor_events(advisor: CurrentAdvisor, hub: HubDep, request: Request) -> StreamingResponse:
    """Server-sent events for the console: new and changed cases, new worker messages."""
    return StreamingResponse(sse(hub, ADVISORS, request), media_type="text/event-stream")
