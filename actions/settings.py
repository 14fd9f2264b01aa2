"""Settings of the action server process."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator

from contract.language import Language, deployment_language
from knowledge.settings import KnowledgeSettings


class ActionSettings(KnowledgeSettings):
    """Knowledge settings plus what the actions tell users; from the environment or `.env`."""

    advisor_contact: str = "rådgivertelefonen (se intranettet for nummer og åpningstid)"
    # The written standard of a conversation nobody has written in yet (nb or nn), as in the gateway.
    language: Annotated[Language, BeforeValidator(deployment_language)] = "nb"
    # Thumbs up/down on answers are stored in the gateway's database (rating, time, passage ids).
    database_url: str = "sqlite:///var/rop.db"
