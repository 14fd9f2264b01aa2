"""Insights for content owners: the page `/advisor/innsikt`, its numbers as JSON, and each table
as CSV. Editors and admins only; the log-in is the advisor console's."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse, Response

from api.auth import CurrentAdvisor
from api.deps import SettingsDep
from api.insights import CSV_TABLES, MAX_DAYS, Period, Report, build_report, to_csv
from api.routes.pages import STATIC_DIR
from api.settings import Settings
from knowledge.documents import load_sources
from knowledge.loaders import load_semantic_encoder
from store.insights import InsightStore
from store.models import Advisor

router = APIRouter(tags=["insights"])
EDITORS_ONLY = "Bare redaktører og administratorer har tilgang til innsikten."
BAD_PERIOD = f"Perioden må ha en fra-dato før til-datoen og være høyst {MAX_DAYS} dager."


async def current_editor(advisor: CurrentAdvisor) -> Advisor:
    """The logged-in advisor if an editor or admin, or 403."""
    if not advisor.reads_insights:
        raise HTTPException(status_code=403, detail=EDITORS_ONLY)
    return advisor


CurrentEditor = Annotated[Advisor, Depends(current_editor)]


def period_of(
    settings: SettingsDep,
    first: Annotated[date | None, Query(alias="from", description="First day (YYYY-MM-DD, local time)")] = None,
    last: Annotated[date | None, Query(alias="to", description="Last day, inclusive")] = None,
) -> Period:
    """The asked period; missing ends default to the last 8 weeks up to today."""
    default = Period.default(datetime.now(ZoneInfo(settings.timezone)).date())
    period = Period(first or default.first, last or default.last)
    if period.first > period.last or (period.last - period.first).days > MAX_DAYS:
        raise HTTPException(status_code=422, detail=BAD_PERIOD)
    return period


PeriodDep = Annotated[Period, Depends(period_of)]


@cache
def passage_titles(sources_dir: Path) -> dict[str, str]:
    """Passage id -> "document – section", read once per process."""
    documents, passages = load_sources(sources_dir)
    short = {d.id: d.short_title for d in documents}
    return {p.id: f"{short.get(p.document_id, p.document)} – {p.section}" for p in passages}


def _report(request: Request, settings: Settings, period: Period) -> Report:
    """The period's report (blocking: database and e5)."""
    titles = passage_titles(settings.sources_dir)
    store: InsightStore = request.app.state.insights
    encoder = load_semantic_encoder(settings).encoder  # loaded at start-up already: the same object
    return build_report(store, period, ZoneInfo(settings.timezone), encoder, lambda p: titles.get(p, "ukjent avsnitt"))


@router.get("/advisor/innsikt", include_in_schema=False)
async def insights_page() -> FileResponse:
    """The insights page (it reads /api/insights with the console's session)."""
    return FileResponse(STATIC_DIR / "insights.html", media_type="text/html; charset=utf-8")


@router.get("/api/insights", responses={403: {"description": EDITORS_ONLY}})
async def insights(
    request: Request, settings: SettingsDep, period: PeriodDep, _editor: CurrentEditor
) -> dict[str, Any]:
    """Per week and channel: questions answered and refused, emergencies by tier, hand-offs and
    waiting, ratings; the refused questions grouped by meaning; passages with thumbs down."""
    report = await run_in_threadpool(_report, request, settings, period)
    return report.as_json(settings.retention_days)


@router.get("/api/insights/{table}.csv", responses={403: {"description": EDITORS_ONLY}})
async def insights_csv(
    request: Request, table: str, settings: SettingsDep, period: PeriodDep, _editor: CurrentEditor
) -> Response:
    """One table as CSV: `uker`, `ubesvarte` or `tommel-ned`."""
    if table not in CSV_TABLES:
        raise HTTPException(status_code=404, detail="Ukjent tabell.")
    report = await run_in_threadpool(_report, request, settings, period)
    name = f"innsikt-{table}-{period.first.isoformat()}-{period.last.isoformat()}.csv"
    return Response(
        to_csv(report, table),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
