"""The chat page for workers and the console for advisors."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
router = APIRouter(include_in_schema=False)


@router.get("/")
async def index() -> FileResponse:
    """Serve the chat page."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8")


@router.get("/advisor")
async def advisor_console() -> FileResponse:
    """Serve the advisor console (it logs in against /api/advisor/login)."""
    return FileResponse(STATIC_DIR / "advisor.html", media_type="text/html; charset=utf-8")
