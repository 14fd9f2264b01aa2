"""Referral guidance: a described person -> main pathway, who leads, what else to do."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import ReferralDep, SafetyDep
from api.schemas import CitedOut, FollowUpOut, RecommendationOut, ReferralRequest, ReferralResponse
from knowledge.referral import Cited

router = APIRouter(prefix="/api", tags=["referral"])


def _cited(source: Cited) -> CitedOut:
    return CitedOut(id=source.passage_id, document=source.document, section=source.section, quote=source.quote)


@router.post("/referral", response_model=ReferralResponse)
async def referral(body: ReferralRequest, engine: ReferralDep, safety: SafetyDep) -> ReferralResponse:
    """Suggest a pathway from the description; what it does not say is listed in `missing`."""
    result = await run_in_threadpool(engine.suggest, body.description, body.severity, body.duration)
    return ReferralResponse(
        urgent=result.urgent,
        crisis=result.crisis.kind if result.crisis else None,
        message=safety.message if result.urgent else None,
        pathway=result.pathway,  # type: ignore[arg-type]  # the rules only define pathways 1-3
        lead=result.lead,
        actors=result.actors,
        recommendations=[
            RecommendationOut(id=r.id, text=r.text, source=_cited(r.source)) for r in result.recommendations
        ],
        missing=result.missing,
        questions=[FollowUpOut(slot=q.slot, text=q.text, options=q.options) for q in result.questions],
        sources=[_cited(s) for s in result.sources],
        severity=result.severity,
        duration=result.duration,
        substances=result.substances,
        diagnoses=result.diagnoses,
        findings=result.findings,
        emergency_hint=result.emergency_hint,
    )
