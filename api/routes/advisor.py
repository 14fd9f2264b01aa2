"""The advisor side of a hand-off: log in, see the queue, read a transcript, reply, close; and,
for admins, the audit log of who did what."""

from __future__ import annotations

import logging
import math
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field

from api.auth import ADMINS_ONLY, CurrentAdmin, CurrentAdvisor, issue_session
from api.console import case_out, console_message_out, queue_order
from api.deps import (
    AddressDep,
    AdvisorsDep,
    AuditDep,
    CasesDep,
    EscalationDep,
    HubDep,
    LoginThrottleDep,
    MaskerDep,
    SettingsDep,
)
from api.escalation import Escalation
from api.hub import ADVISORS
from api.routes.chat import sse
from api.schemas import UserText
from store.audit import CLOSE, LOGIN, LOGIN_FAILED, LOGOUT, REPLY, TAKE, AuditLog
from store.cases import ACTIVE, STATUSES, CaseStore
from store.models import Advisor, Case

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api/advisor", tags=["advisor"])
CaseId = Annotated[int, Path(ge=1, le=2**31 - 1, description="The case number.")]  # a larger id overflowed SQLite
NOT_FOUND = "Fant ikke saken."
WRONG_LOGIN = "Feil navn eller passord."
NOT_YOURS = "En annen rådgiver har tatt saken. Bare den som tok den, eller en administrator, kan"


class Login(BaseModel):
    """Console login with the password from `python -m api.admin`."""

    model_config = ConfigDict(extra="forbid")
    # no control characters: a NUL in a name would reach the database (PostgreSQL refuses it)
    name: str = Field(min_length=1, max_length=80, pattern=r"^[^\x00-\x1f\x7f]+$")
    password: str = Field(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")


class ConsoleSession(BaseModel):
    """A console session: send `token` as `Authorization: Bearer ...`."""

    token: str
    expires_at: int
    name: str


class Reply(BaseModel):
    """An advisor's message to the worker."""

    model_config = ConfigDict(extra="forbid")
    text: UserText


@router.post("/login", responses={401: {"description": WRONG_LOGIN}, 429: {"description": "Too many failed log-ins"}})
async def login(
    body: Login,
    advisors: AdvisorsDep,
    settings: SettingsDep,
    throttle: LoginThrottleDep,
    audit: AuditDep,
    address: AddressDep,
) -> ConsoleSession:
    """Exchange name and password for a session token; refused for a while after too many
    failures for the name or from the address, even with the right password."""
    wait = await throttle.hit(body.name, address)
    if wait:
        logger.warning("advisor log-in refused (too many failures): name %r from %s", body.name, address)
        minutes = math.ceil(wait / 60)
        detail = f"For mange mislykkede innlogginger. Prøv igjen om {minutes} minutt{'er' if minutes > 1 else ''}."
        raise HTTPException(status_code=429, detail=detail, headers={"Retry-After": str(wait)})
    advisor = await run_in_threadpool(advisors.by_password, body.name, body.password)
    if advisor is None:
        logger.warning("advisor log-in failed: name %r from %s", body.name, address)
        await run_in_threadpool(audit.record, LOGIN_FAILED, body.name, None, address)
        raise HTTPException(status_code=401, detail=WRONG_LOGIN)
    await throttle.succeeded(body.name, address)
    await run_in_threadpool(audit.record, LOGIN, advisor.name, advisor.id, address)
    token, expires = issue_session(
        settings.secret_key, advisor.id, advisor.session_version, settings.console_session_hours
    )
    return ConsoleSession(token=token, expires_at=expires, name=advisor.name)


@router.post("/logout", status_code=204)
async def logout(advisor: CurrentAdvisor, advisors: AdvisorsDep, audit: AuditDep, address: AddressDep) -> None:
    """End the advisor's console sessions (all of them: a session is not stored, only its version)."""
    await run_in_threadpool(advisors.end_sessions, advisor.id)
    await run_in_threadpool(audit.record, LOGOUT, advisor.name, advisor.id, address)


@router.get("/cases")
async def cases_queue(
    advisor: CurrentAdvisor,
    cases: CasesDep,
    status: Annotated[list[str] | None, Query(description="waiting, open, closed (default waiting and open)")] = None,
) -> list[dict[str, Any]]:
    """The queue: emergencies first, then the longest waiting; each case with its transcript."""
    wanted = tuple(status or ACTIVE)
    if any(s not in STATUSES for s in wanted):
        raise HTTPException(status_code=422, detail="Ukjent status. Bruk waiting, open eller closed.")
    return [case_out(c) for c in queue_order(await run_in_threadpool(cases.list, wanted))]


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


async def _take(case_id: int, advisor: Advisor, escalation: Escalation, audit: AuditLog, address: str) -> Case:
    """The case, taken by this advisor if it was waiting; 404 if there is none."""
    case, taken = await escalation.take(case_id, advisor.id)
    if case is None:
        raise HTTPException(status_code=404, detail=NOT_FOUND)
    if taken:
        await run_in_threadpool(audit.record, TAKE, advisor.name, advisor.id, address, case_id)
    return case


async def _own_case(
    case_id: int, advisor: Advisor, escalation: Escalation, audit: AuditLog, address: str, action: str
) -> Case:
    """The case for replying or closing: a waiting one is taken by this advisor first (whoever
    answers first gets it); one another advisor took is refused with 403 unless this one is an admin."""
    case = await _take(case_id, advisor, escalation, audit, address)
    if case.advisor_id not in (None, advisor.id) and not advisor.is_admin:
        raise HTTPException(status_code=403, detail=f"{NOT_YOURS} {action}")
    return case


@router.post("/cases/{case_id}/take", responses={404: {"description": NOT_FOUND}})
async def take_case(
    case_id: CaseId, advisor: CurrentAdvisor, escalation: EscalationDep, audit: AuditDep, address: AddressDep
) -> dict[str, Any]:
    """Open a waiting case: the advisor takes it (a case already taken is only shown)."""
    return case_out(await _take(case_id, advisor, escalation, audit, address))


@router.post(
    "/cases/{case_id}/messages",
    responses={
        403: {"description": "Another advisor took the case"},
        404: {"description": NOT_FOUND},
        409: {"description": "The case is closed"},
    },
)
async def reply(
    case_id: CaseId,
    body: Reply,
    advisor: CurrentAdvisor,
    escalation: EscalationDep,
    masker: MaskerDep,
    audit: AuditDep,
    address: AddressDep,
) -> dict[str, Any]:
    """Send a reply to the worker (live in the widget, proactively in Teams), masked like the
    worker's messages, since it is stored and sent on."""
    case = await _own_case(case_id, advisor, escalation, audit, address, "svare i den.")
    if case.status == "closed":
        raise HTTPException(status_code=409, detail="Saken er avsluttet.")
    text = await run_in_threadpool(masker.mask, body.text)
    message = await escalation.reply(case, text, advisor.id)
    await run_in_threadpool(audit.record, REPLY, advisor.name, advisor.id, address, case_id)
    return console_message_out(message)


@router.post(
    "/cases/{case_id}/close",
    responses={403: {"description": "Another advisor took the case"}, 404: {"description": NOT_FOUND}},
)
async def close_case(
    case_id: CaseId, advisor: CurrentAdvisor, escalation: EscalationDep, audit: AuditDep, address: AddressDep
) -> dict[str, Any]:
    """Close the case: the bot answers the worker again."""
    case = await _own_case(case_id, advisor, escalation, audit, address, "avslutte den.")
    if case.status != "closed":
        case = await escalation.close(case) or case
        await run_in_threadpool(audit.record, CLOSE, advisor.name, advisor.id, address, case_id)
    return case_out(case)


@router.get("/audit", responses={403: {"description": ADMINS_ONLY}})
async def audit_log(
    admin: CurrentAdmin,
    audit: AuditDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="How many entries, newest first.")] = 100,
) -> list[dict[str, Any]]:
    """The audit log, newest first: log-ins, failed log-ins, and who took, answered and closed which case."""
    return [
        {"at": e.at.isoformat(), "action": e.action, "name": e.name, "address": e.address, "case_id": e.case_id}
        for e in await run_in_threadpool(audit.recent, limit)
    ]


@router.get("/events", response_class=StreamingResponse)
async def advisor_events(advisor: CurrentAdvisor, hub: HubDep, request: Request) -> StreamingResponse:
    """Server-sent events for the console: new and changed cases, new worker messages."""
    return StreamingResponse(sse(hub, ADVISORS, request), media_type="text/event-stream")
