"""The gateway's one settings class; unsafe defaults are refused outside development."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from knowledge.settings import KnowledgeSettings

DEV_TOKEN = "dev-only-rasa-token"


class Settings(KnowledgeSettings):
    """Gateway settings from the environment or `.env` (see `.env.example`)."""

    environment: Literal["development", "test", "production"] = "development"
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = DEV_TOKEN
    actions_url: str = "http://127.0.0.1:5055"
    cors_origins: list[str] = []
    max_body_bytes: int = 64_000
    upstream_timeout_seconds: float = 30.0

    @model_validator(mode="after")
    def _refuse_unsafe_defaults(self) -> Settings:
        """A guessable Rasa token would let anyone on the host drive conversations."""
        if self.environment == "production" and (self.rasa_token == DEV_TOKEN or len(self.rasa_token) < 24):
            raise ValueError("RASA_TOKEN must be set to a random value of at least 24 characters in production")
        return self
