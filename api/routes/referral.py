"""Referral guidance: a described person -> main pathway, who leads, what else to do."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from api.deps import ReferralDep, SafetyDep, SettingsDep
from api.schemas import CitedOut, FollowUpOut, RecommendationOut, ReferralRequest, ReferralResponse
from contract.language import written_standard
from contract.nynorsk import localized
from knowledge.referral import Cited

router = APIRouter(prefix="/api", tags=["referral"])


def _cited(source: Cited) -> CitedOut:
    return CitedOut(id=source.passage_id, document=source.document, section=source.section, quote=source.quote)


@router.post("/referral", response_model=ReferralResponse)
async def referral(
    body: ReferralRequest, engine: ReferralDep, safety: SafetyDep, settings: SettingsDep
) -> ReferralResponse:
    """Suggest a pathway from the description; what it does not say is listed in `missing`. The
    rules' own words come in the description's written standard (else `LANGUAGE`), quotes as written."""
    result = await run_in_threadpool(engine.suggest, body.description, body.severity, body.duration)
    language = written_standard(body.description) or settings.language

    def say(text: str) -> str:
        return localized(text, language)

    return ReferralResponse(
        urgent=result.urgent,
        crisis=result.crisis.kind if result.crisis else None,
        message=say(safety.message) if result.urgent else None,
        pathway=result.pathway,  # type: ignore[arg-type]  # the rules only define pathways 1-3
        lead=say(result.lead),
        actors=[say(actor) for actor in result.actors],
        recommendations=[
            RecommendationOut(id=r.id, text=say(r.text), source=_cited(r.source)) for r in result.recommendations
        ],
        missing=result.missing,
        questions=[
            FollowUpOut(slot=q.slot, text=say(q.text), options={k: say(v) for k, v in q.options.items()})
            for q in result.questions
        ],
        sources=[_cited(s) for s in result.sources],
        severity=result.severity,
        duration=result.duration,
        substances=result.substances,
        diagnoses=result.diagnoses,
        findings=[say(finding) for finding in result.findings],
        emergency_hint=say(result.emergency_hint) if result.emergency_hint else None,
    )
