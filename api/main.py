"""Gateway application factory: `uvicorn --factory api.main:create_app`."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from fastapi import FastAPI
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from api.errors import install_error_handlers
from api.headers import SecurityHeaders
from api.limits import BodySizeLimit
from api.retention import scheduled_purge
from api.routes import advisor, ask, chat, health, insights, pages, referral, teams
from api.settings import Settings
from api.wiring import wire_chat
from knowledge.answer import Answerer
from knowledge.assemble import assemble
from knowledge.loaders import ModelLoadError
from store.database import session_factory

logger = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, engine: Answerer | None = None) -> FastAPI:
    """Build the app; the lifespan loads the engine unless one is passed in (tests)."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.settings = settings
        # Safety and referral rules must be valid: a broken rules file stops the gateway rather
        # than letting it run without crisis detection. A stale index only stops the answers.
        assembly = await run_in_threadpool(assemble, settings, engine is None)
        app.state.referral, app.state.safety = assembly.referral, assembly.safety
        app.state.semantic, app.state.semantic_encoder = assembly.semantic, assembly.encoder
        app.state.engine, app.state.engine_error = engine or assembly.knowledge, "ok"
        if app.state.engine is None:
            logger.error("knowledge pipeline not loaded: %s", assembly.knowledge_error)
            app.state.engine_error = (
                "språkmodellen for søk kan ikke lastes (se loggen)"
                if isinstance(assembly.knowledge_error, ModelLoadError)
                else "kunnskapsindeksen mangler eller er utdatert (kjør make index)"
            )
        async with httpx.AsyncClient(timeout=settings.upstream_timeout_seconds) as client:
            database = await run_in_threadpool(wire_chat, app.state, settings, client)
            async with app.state.backends.running(), scheduled_purge(settings, session_factory(database)):
                yield
        database.dispose()

    app = FastAPI(
        title="ROP-veiviser",
        description="Hvem gjør hva for personer med ROP-lidelser – svar fra de nasjonale retningslinjene.",
        version="0.1.0",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    # The widget bundle shrinks to about a quarter; server-sent events are never compressed.
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.cors_origins)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST"],
            allow_headers=["Content-Type", "Authorization"],
        )
    for module in (health, chat, ask, referral, advisor, insights, teams, pages):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=pages.STATIC_DIR), name="static")
    return app
