"""Settings of the action server process."""

from __future__ import annotations

from knowledge.settings import KnowledgeSettings


class ActionSettings(KnowledgeSettings):
    """Knowledge settings plus what the actions tell users; from the environment or `.env`."""

    advisor_contact: str = "rådgivertelefonen (se intranettet for nummer og åpningstid)"
    # Thumbs up/down on answers are stored in the gateway's database (rating, time, passage ids).
    database_url: str = "sqlite:///var/rop.db"
