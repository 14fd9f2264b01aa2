"""Readiness of the gateway and the services behind it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import GatewayDep
from api.schemas import HealthResponse
from knowledge.loaders import load_semantic_encoder

# Components the product works without: shown, but they do not make /health 503.
OPTIONAL = ("semantic",)

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(request: Request, gateway: GatewayDep) -> JSONResponse:
    """200 when Rasa, the action server and the knowledge index are ready; 503 names what is not.
    `semantic` says whether the crisis check has sentence meaning or runs on n-grams alone."""
    components = await gateway.component_status()
    components["index"] = "ok" if request.app.state.engine is not None else request.app.state.engine_error
    components["semantic"] = load_semantic_encoder(request.app.state.settings).status
    ready = all(value == "ok" for name, value in components.items() if name not in OPTIONAL)
    body = HealthResponse(status="ok" if ready else "unavailable", components=components)
    return JSONResponse(status_code=200 if ready else 503, content=body.model_dump())
