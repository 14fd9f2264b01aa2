"""Advisor authentication: the bearer token from `python -m api.admin`, or a console session
signed with SECRET_KEY after a password login. Every advisor endpoint depends on this."""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from typing import Annotated

from fastapi import Depends, HTTPException
from fastapi.concurrency import run_in_threadpool
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.deps import AdvisorsDep, SettingsDep
from store.advisors import AdvisorStore
from store.models import Advisor

SESSION_PREFIX = "s2."  # s1 sessions carried no session version and cannot be revoked: refused
UNAUTHORIZED = "Du må logge inn som rådgiver."
ADMINS_ONLY = "Bare administratorer har tilgang til dette."
_bearer = HTTPBearer(auto_error=False, description="Advisor token (python -m api.admin) or console session")


def _sign(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_session(secret: str, advisor_id: int, version: int, hours: int, now: float | None = None) -> tuple[str, int]:
    """A session token for the console and its expiry (Unix seconds). It names the advisor's
    session version, so a new password or token, or a log-out, ends it; nothing about it is kept
    in the gateway, so a restart does not."""
    expires = int((now or time.time()) + hours * 3600)
    body = f"{advisor_id}.{version}.{expires}"
    return f"{SESSION_PREFIX}{body}.{_sign(secret, body)}", expires


def session_claims(secret: str, token: str, now: float | None = None) -> tuple[int, int] | None:
    """(advisor id, session version) of a validly signed, unexpired session token."""
    try:
        advisor_id, version, expires, signature = token.removeprefix(SESSION_PREFIX).split(".")
        valid = hmac.compare_digest(signature, _sign(secret, f"{advisor_id}.{version}.{expires}"))
        return (int(advisor_id), int(version)) if valid and int(expires) > (now or time.time()) else None
    except ValueError:
        return None


async def _session_advisor(secret: str, advisors: AdvisorStore, token: str) -> Advisor | None:
    """The advisor of a session token whose session version is still the advisor's."""
    claims = session_claims(secret, token)
    if claims is None:
        return None
    advisor_id, version = claims
    advisor = await run_in_threadpool(advisors.get, advisor_id)
    return advisor if advisor is not None and advisor.session_version == version else None


async def current_advisor(
    settings: SettingsDep,
    advisors: AdvisorsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Advisor:
    """The logged-in advisor, or 401 (also for a session ended since it was issued)."""
    token = credentials.credentials if credentials else ""
    advisor = None
    if token.startswith(SESSION_PREFIX):
        advisor = await _session_advisor(settings.secret_key, advisors, token)
    elif token:
        advisor = await run_in_threadpool(advisors.by_token, token)
    if advisor is None:
        raise HTTPException(status_code=401, detail=UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return advisor


async def current_admin(advisor: Annotated[Advisor, Depends(current_advisor)]) -> Advisor:
    """The logged-in advisor if an admin, or 403."""
    if not advisor.is_admin:
        raise HTTPException(status_code=403, detail=ADMINS_ONLY)
    return advisor


CurrentAdvisor = Annotated[Advisor, Depends(current_advisor)]
CurrentAdmin = Annotated[Advisor, Depends(current_admin)]
