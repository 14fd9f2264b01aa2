"""The Bot Framework messaging endpoint that Azure Bot Service calls for Microsoft Teams."""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Header, HTTPException
from fastapi.responses import JSONResponse, Response

from api.deps import TeamsDep
from api.teams.auth import AuthError
from api.teams.bot import Activity

logger = logging.getLogger(__name__)
router = APIRouter(prefix="/api", tags=["teams"])


@router.post(
    "/messages",
    status_code=200,
    responses={
        401: {"description": "Not signed by the Bot Connector for this bot"},
        403: {"description": "From another organisation (tenant)"},
        404: {"description": "Teams is not configured"},
    },
)
async def messages(
    activity: Activity, teams: TeamsDep, authorization: Annotated[str | None, Header()] = None
) -> Response:
    """Receive an activity from Teams: messages and button clicks, the bot being added to a
    chat, and 👍/👎 under an answer (an invoke, answered in this response)."""
    bot, verifier = teams
    try:
        await verifier.verify(authorization, activity.channel_id, activity.service_url)
    except AuthError as error:
        logger.warning("teams activity refused: %s", error)
        raise HTTPException(status_code=401, detail="Ugyldig eller manglende Bot Framework-token.") from error
    if not bot.from_our_tenant(activity):
        raise HTTPException(status_code=403, detail="Denne boten svarer bare brukere i egen organisasjon.")
    invoked = await bot.on_activity(activity)
    if invoked is not None:
        return JSONResponse(invoked.body, status_code=invoked.status)
    return Response(status_code=200)
