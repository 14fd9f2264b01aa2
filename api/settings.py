"""The gateway's one settings class; unsafe defaults are refused outside development."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from pydantic import BeforeValidator, Field, model_validator

from api.hours import OpeningHours
from contract.language import Language, deployment_language
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

DEV_TOKEN = "dev-only-rasa-token"
DEV_SECRET = "dev-only-secret-key-not-for-production"


class Settings(KnowledgeSettings):
    """Gateway settings from the environment or `.env` (see `.env.example`)."""

    environment: Literal["development", "test", "production"] = "development"
    # The written standard the assistant starts every conversation in (nb: bokmål, nn: nynorsk);
    # a worker who writes the other one gets it for the rest of the conversation (api/language.py).
    language: Annotated[Language, BeforeValidator(deployment_language)] = "nb"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = DEV_TOKEN
    actions_url: str = "http://127.0.0.1:5055"
    # Other sites that embed the widget: allowed to call the API and to frame the pages.
    cors_origins: list[str] = []
    max_body_bytes: int = 64_000
    upstream_timeout_seconds: float = 30.0
    # Cases, transcripts, advisors and feedback; any SQLAlchemy URL (postgresql+psycopg://...).
    database_url: str = "sqlite:///var/rop.db"
    # Rasa's tracker store, read from the same variables as endpoints.yml: a PostgreSQL URL, or
    # else the SQLite file (relative to the project folder, where Rasa runs).
    tracker_store_url: str = ""
    tracker_store_db: str = "var/rasa-tracker.db"
    # Closed cases, their messages, feedback and Rasa's events older than this many days are
    # deleted (store.retention, every hour in the gateway and by `python -m api.admin purge`).
    retention_days: int = Field(default=30, ge=1)
    # Live events and rate limits shared by several gateway workers (redis://host:6379/0);
    # empty keeps them in this process, which is right for one worker.
    redis_url: str = ""
    # Signs the advisor console's login sessions.
    secret_key: str = DEV_SECRET
    console_session_hours: int = 12
    # When advisors answer (local time in `timezone`, days 0 = Monday).
    advisor_days: list[int] = [0, 1, 2, 3, 4]
    advisor_opens: time = time(8, 0)
    advisor_closes: time = time(15, 30)
    timezone: str = "Europe/Oslo"
    # Whether advisors answer on Norwegian public holidays (17. mai, Easter, Christmas ...).
    advisor_holidays_open: bool = False
    # Given names and surnames for masking names typed in lower case (scripts/build_name_lists.py).
    names_file: Path = PROJECT_ROOT / "knowledge" / "models" / "names" / "names.json"
    # Messages one conversation may send per minute before getting a polite "wait a little";
    # one client address (a municipality's NAT holds many workers) and the whole gateway.
    chat_messages_per_minute: int = 20
    address_messages_per_minute: int = 600
    overall_messages_per_minute: int = 6000
    # New web conversations one client address may start per minute, and how long one lasts.
    conversations_per_minute: int = 30
    conversation_hours: int = 24
    # Microsoft Teams through an Azure Bot (single-tenant app registration); off while the app id
    # is empty. The URLs are Microsoft's; tests point them at a local stand-in.
    microsoft_app_id: str = ""
    microsoft_app_password: str = ""
    microsoft_app_tenant_id: str = ""
    botframework_openid_url: str = "https://login.botframework.com/v1/.well-known/openidconfiguration"
    botframework_issuer: str = "https://api.botframework.com"
    microsoft_login_url: str = "https://login.microsoftonline.com"
    # The host name workers reach the gateway at (rop.kommune.no, no https://): the Teams app's
    # validDomains and, unless set, its publisher's web, privacy and terms pages (make teams-app).
    public_domain: str = ""
    teams_developer_name: str = "ROP-veiviser"
    teams_privacy_url: str = ""
    teams_terms_url: str = ""

    @property
    def teams_enabled(self) -> bool:
        """Teams is served when an app registration is configured."""
        return bool(self.microsoft_app_id)

    @property
    def teams_token_url(self) -> str:
        """The tenant's token endpoint, where the bot gets its token for the Bot Connector."""
        return f"{self.microsoft_login_url.rstrip('/')}/{self.microsoft_app_tenant_id}/oauth2/v2.0/token"

    def opening_hours(self) -> OpeningHours:
        """The advisors' opening hours."""
        days = frozenset(self.advisor_days)
        zone = ZoneInfo(self.timezone)
        return OpeningHours(days, self.advisor_opens, self.advisor_closes, zone, self.advisor_holidays_open)

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        """A guessable Rasa token would let anyone on the host drive conversations, and a
        known secret would let anyone forge an advisor session."""
        if self.environment == "production" and (self.rasa_token == DEV_TOKEN or len(self.rasa_token) < 24):
            raise ValueError("RASA_TOKEN must be set to a random value of at least 24 characters in production")
        if self.environment == "production" and (self.secret_key == DEV_SECRET or len(self.secret_key) < 32):
            raise ValueError("SECRET_KEY must be set to a random value of at least 32 characters in production")
        if self.teams_enabled and not (self.microsoft_app_password and self.microsoft_app_tenant_id):
            raise ValueError("MICROSOFT_APP_ID needs MICROSOFT_APP_PASSWORD and MICROSOFT_APP_TENANT_ID")
        if not self.advisor_days or any(day not in range(7) for day in self.advisor_days):
            raise ValueError("ADVISOR_DAYS must list weekdays 0 (Monday) to 6 (Sunday)")
        ZoneInfo(self.timezone)  # an unknown zone fails here, not at the first hand-off
        return self
