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


@router.get("/widget.js")
async def widget() -> FileResponse:
    """The chat widget (built from widget/ by make): embed it with one <script> tag."""
    return FileResponse(
        STATIC_DIR / "widget.js",
        media_type="text/javascript; charset=utf-8",
        headers={"Cache-Control": "public, max-age=300"},
    )


@router.get("/advisor")
async def advisor_console() -> FileResponse:
    """Serve the advisor console (it logs in against /api/advisor/login)."""
    return FileResponse(STATIC_DIR / "advisor.html", media_type="text/html; charset=utf-8")
