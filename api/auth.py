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
from api.store.models import Advisor

SESSION_PREFIX = "s1."
UNAUTHORIZED = "Du må logge inn som rådgiver."
_bearer = HTTPBearer(auto_error=False, description="Advisor token (python -m api.admin) or console session")


def _sign(secret: str, body: str) -> str:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue_session(secret: str, advisor_id: int, hours: int, now: float | None = None) -> tuple[str, int]:
    """A session token for the console and its expiry (Unix seconds)."""
    expires = int((now or time.time()) + hours * 3600)
    body = f"{advisor_id}.{expires}"
    return f"{SESSION_PREFIX}{body}.{_sign(secret, body)}", expires


def session_advisor_id(secret: str, token: str, now: float | None = None) -> int | None:
    """The advisor id of a valid, unexpired session token."""
    try:
        advisor_id, expires, signature = token.removeprefix(SESSION_PREFIX).split(".")
        valid = hmac.compare_digest(signature, _sign(secret, f"{advisor_id}.{expires}"))
        return int(advisor_id) if valid and int(expires) > (now or time.time()) else None
    except ValueError:
        return None


async def current_advisor(
    settings: SettingsDep,
    advisors: AdvisorsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Advisor:
    """The logged-in advisor, or 401."""
    token = credentials.credentials if credentials else ""
    advisor = None
    if token.startswith(SESSION_PREFIX):
        advisor_id = session_advisor_id(settings.secret_key, token)
        advisor = await run_in_threadpool(advisors.get, advisor_id) if advisor_id is not None else None
    elif token:
        advisor = await run_in_threadpool(advisors.by_token, token)
    if advisor is None:
        raise HTTPException(status_code=401, detail=UNAUTHORIZED, headers={"WWW-Authenticate": "Bearer"})
    return advisor


CurrentAdvisor = Annotated[Advisor, Depends(current_advisor)]
