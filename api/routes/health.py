"""Readiness of the gateway and the services behind it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import GatewayDep
from api.schemas import HealthResponse

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(request: Request, gateway: GatewayDep) -> JSONResponse:
    """200 when Rasa, the action server and the knowledge index are ready; 503 names what is not."""
    components = await gateway.component_status()
    components["index"] = "ok" if request.app.state.engine is not None else request.app.state.engine_error
    ready = all(value == "ok" for value in components.values())
    body = HealthResponse(status="ok" if ready else "unavailable", components=components)
    return JSONResponse(status_code=200 if ready else 503, content=body.model_dump())
