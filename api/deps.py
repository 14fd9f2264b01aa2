"""Typed dependencies: the objects the lifespan created, handed to the routes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request

from api.conversation import Conversation
from api.escalation import Escalation
from api.hub import EventHub
from api.limits import SenderRateLimit
from api.settings import Settings
from api.store.advisors import AdvisorStore
from api.store.cases import CaseStore
from api.teams.auth import ConnectorTokenVerifier
from api.teams.bot import TeamsBot
from api.upstream import RasaGateway
from knowledge.engine import Answerer
from knowledge.referral import ReferralEngine
from knowledge.safety import SafetyRules


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
HubDep = Annotated[EventHub, Depends(_state("hub"))]
LimiterDep = Annotated[SenderRateLimit, Depends(_state("limiter"))]
TeamsDep = Annotated[tuple[TeamsBot, ConnectorTokenVerifier], Depends(get_teams)]
