"""Typed dependencies: the objects the lifespan created, handed to the routes."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from api.settings import Settings
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


SettingsDep = Annotated[Settings, Depends(get_settings)]
GatewayDep = Annotated[RasaGateway, Depends(get_gateway)]
EngineDep = Annotated[Answerer, Depends(get_engine)]
ReferralDep = Annotated[ReferralEngine, Depends(get_referral)]
SafetyDep = Annotated[SafetyRules, Depends(get_safety)]
