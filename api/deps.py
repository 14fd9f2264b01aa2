"""Typed dependencies: the objects the lifespan created, handed to the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from api.conversation import Conversation
from api.escalation import Escalation
from api.hub import EventHub
from api.identity import conversation_of
from api.limits import Limiter, TurnLimits
from api.login_throttle import LoginThrottle
from api.privacy import Masker
from api.settings import Settings
from api.teams.auth import ConnectorTokenVerifier
from api.teams.bot import TeamsBot
from api.upstream import RasaGateway
from knowledge.answer import Answerer
from knowledge.referral import ReferralEngine
from knowledge.safety import SafetyRules
from store.advisors import AdvisorStore
from store.audit import AuditLog
from store.cases import CaseStore


def _state(name: str) -> Callable[[Request], Any]:
    """A dependency returning `app.state.<name>`, set by the lifespan; the Annotated alias
    below gives it its type."""

    def dependency(request: Request) -> Any:
        return getattr(request.app.state, name)

    dependency.__name__ = f"get_{name}"
    return dependency


def get_engine(request: Request) -> Answerer:
    """The knowledge engine, or 503 while it is not loaded (stale or missing index)."""
    engine: Answerer | None = request.app.state.engine
    if engine is None:
        raise HTTPException(status_code=503, detail="Kunnskapsbasen er ikke klar ennå. Prøv igjen om litt.")
    return engine


_conversation_bearer = HTTPBearer(
    auto_error=False, description="The conversation token from POST /api/conversations", scheme_name="Conversation"
)
NO_CONVERSATION = "Samtalen mangler eller er utløpt. Start en ny samtale (POST /api/conversations)."


def current_conversation(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_conversation_bearer)]
) -> str:
    """The conversation id the bearer token was issued for, or 401: the client never names it."""
    settings: Settings = request.app.state.settings
    conversation_id = conversation_of(settings.secret_key, credentials.credentials) if credentials else None
    if conversation_id is None:
        raise HTTPException(status_code=401, detail=NO_CONVERSATION, headers={"WWW-Authenticate": "Bearer"})
    return conversation_id


def client_address(request: Request) -> str:
    """The caller's address, for per-address limits (behind a proxy, uvicorn's --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def get_teams(request: Request) -> tuple[TeamsBot, ConnectorTokenVerifier]:
    """The Teams bot and its token verifier, or 404 where no app registration is configured."""
    teams: TeamsBot | None = request.app.state.teams
    if teams is None:
        raise HTTPException(status_code=404, detail="Teams er ikke satt opp på denne serveren.")
    return teams, request.app.state.teams_verifier


SettingsDep = Annotated[Settings, Depends(_state("settings"))]
GatewayDep = Annotated[RasaGateway, Depends(_state("gateway"))]
EngineDep = Annotated[Answerer, Depends(get_engine)]
ReferralDep = Annotated[ReferralEngine, Depends(_state("referral"))]
SafetyDep = Annotated[SafetyRules, Depends(_state("safety"))]
ConversationDep = Annotated[Conversation, Depends(_state("conversation"))]
EscalationDep = Annotated[Escalation, Depends(_state("escalation"))]
CasesDep = Annotated[CaseStore, Depends(_state("cases"))]
AdvisorsDep = Annotated[AdvisorStore, Depends(_state("advisors"))]
AuditDep = Annotated[AuditLog, Depends(_state("audit"))]
LoginThrottleDep = Annotated[LoginThrottle, Depends(_state("login_throttle"))]
MaskerDep = Annotated[Masker, Depends(_state("masker"))]
HubDep = Annotated[EventHub, Depends(_state("hub"))]
LimitsDep = Annotated[TurnLimits, Depends(_state("limits"))]
StartLimitDep = Annotated[Limiter, Depends(_state("start_limit"))]
ConversationIdDep = Annotated[str, Depends(current_conversation)]
AddressDep = Annotated[str, Depends(client_address)]
TeamsDep = Annotated[tuple[TeamsBot, ConnectorTokenVerifier], Depends(get_teams)]
