"""Readiness of the gateway and the services behind it."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from api.deps import GatewayDep
from api.schemas import HealthResponse

# Components the product works without: shown, but they do not make /health 503 (without Redis
# a worker still answers, with live events and limits of its own).
OPTIONAL = ("semantic", "redis", "rasa_replicas")

router = APIRouter(tags=["health"])


@router.get("/health", response_model=HealthResponse, responses={503: {"model": HealthResponse}})
async def health(request: Request, gateway: GatewayDep) -> JSONResponse:
    """200 when Rasa, the action server, the knowledge index and the database are ready; 503 names
    what is not. `semantic` says whether the crisis check has sentence meaning or runs on n-grams
    alone, `redis` (with REDIS_URL) whether the workers share live events and limits, and
    `rasa_replicas` (with several in RASA_URL) which replicas do not answer: turns go to the others."""
    components = await gateway.component_status()
    replicas = gateway.replicas.urls
    if len(replicas) > 1:
        problems = gateway.replica_problems
        answering = f"{len(replicas) - len(problems)} av {len(replicas)} svarer"
        components["rasa_replicas"] = "; ".join([answering, *problems]) if problems else "ok"
    components.update(await request.app.state.backends.status())
    components["index"] = "ok" if request.app.state.engine is not None else request.app.state.engine_error
    components["semantic"] = request.app.state.semantic
    ready = all(value == "ok" for name, value in components.items() if name not in OPTIONAL)
    body = HealthResponse(status="ok" if ready else "unavailable", components=components)
    return JSONResponse(status_code=200 if ready else 503, content=body.model_dump())
