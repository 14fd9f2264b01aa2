"""Typed dependencies: the objects the lifespan created, handed to the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.conversation import Conversation
from api.escalation import Escalation
from api.hub import EventHub
from api.limits import SenderRateLimit
from api.settings import Settings
from api.store.advisors import AdvisorStore
from api.store.cases import CaseStore
from api.upstream import RasaGateway
from knowledge.engine import Answerer
from knowledge.referral import ReferralEngine
from knowledge.safety import SafetyRules


def get_settings(request: Request) -> Settings:
    """The settings the app was created with."""
    settings: Settings = request.app.state.settings
    return settings


def get_gateway(request: Request) -> RasaGateway:
    """The Rasa gateway opened by the lifespan."""
    gateway: RasaGateway = request.app.state.gateway
    return gateway


def get_engine(request: Request) -> Answerer:
    """The knowledge engine, or 503 while it is not loaded (stale or missing index)."""
    engine: Answerer | None = request.app.state.engine
    if engine is None:
        raise HTTPException(status_code=503, detail="Kunnskapsbasen er ikke klar ennå. Prøv igjen om litt.")
    return engine


def get_referral(request: Request) -> ReferralEngine:
    """The referral engine loaded by the lifespan."""
    engine: ReferralEngine = request.app.state.referral
    return engine


def get_safety(request: Request) -> SafetyRules:
    """The crisis and clinical-advice rules loaded by the lifespan."""
    safety: SafetyRules = request.app.state.safety
    return safety


def get_conversation(request: Request) -> Conversation:
    """The chat turn service: masking, crisis check, case or Rasa."""
    conversation: Conversation = request.app.state.conversation
    return conversation


def get_escalation(request: Request) -> Escalation:
    """Cases and the relay between worker and advisor."""
    escalation: Escalation = request.app.state.escalation
    return escalation


def get_cases(request: Request) -> CaseStore:
    """The case store."""
    cases: CaseStore = request.app.state.cases
    return cases


def get_advisors(request: Request) -> AdvisorStore:
    """The advisor accounts."""
    advisors: AdvisorStore = request.app.state.advisors
    return advisors


def get_hub(request: Request) -> EventHub:
    """Live events."""
    hub: EventHub = request.app.state.hub
    return hub


def get_limiter(request: Request) -> SenderRateLimit:
    """Per-sender message rate limit."""
    limiter: SenderRateLimit = request.app.state.limiter
    return limiter


SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[RasaGateway, Depends(get_gateway)]
EngineDep = Annotated[Answerer, Depends(get_engine)]
ReferralDep = Annotated[ReferralEngine, Depends(get_referral)]
SafetyDep = Annotated[SafetyRules, Depends(get_safety)]
ConversationDep = Annotated[Conversation, Depends(get_conversation)]
EscalationDep = Annotated[Escalation, Depends(get_escalation)]
CasesDep = Annotated[CaseStore, Depends(get_cases)]
AdvisorsDep = Annotated[AdvisorStore, Depends(get_advisors)]
HubDep = Annotated[EventHub, Depends(get_hub)]
LimiterDep = Annotated[SenderRateLimit, Depends(get_limiter)]
