"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT_CHARS = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _clean_text(value: str) -> str:
    """Trim and drop control characters; refuse empty and over-long text in Norwegian."""
    value = _CONTROL.sub("", value).strip()
    if not value:
        raise ValueError("Meldingen er tom. Skriv et spørsmål.")
    if len(value) > MAX_TEXT_CHARS:
        raise ValueError(f"Meldingen er for lang (over {MAX_TEXT_CHARS} tegn). Kort den ned og prøv igjen.")
    return value


def _check_sender(value: str) -> str:
    if not SENDER_PATTERN.match(value):
        raise ValueError("Ugyldig avsender-ID. Bruk 1–64 tegn: bokstavene a–z, tall, bindestrek eller understrek.")
    return value


UserText = Annotated[str, Field(strict=True), AfterValidator(_clean_text)]
SenderId = Annotated[str, Field(strict=True), AfterValidator(_check_sender)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ChatRequest(_Body):
    """One user message to the assistant."""

    sender: SenderId = Field(description="Stable id of the conversation, e.g. a random id kept by the widget.")
    message: UserText = Field(description="The user's text, or a button payload such as `/request_advisor`.")


class Button(BaseModel):
    """A quick reply: show `title`, send `payload`."""

    title: str
    payload: str


class SourceOut(BaseModel):
    """A cited guideline passage; `recommendation` is the id of the recommendation it belongs to."""

    id: str
    document: str
    title: str
    text: str
    score: float
    recommendation: str = ""
    services: list[str] = []


class ChatMessage(BaseModel):
    """One bot message; `buttons` and `sources` only when present."""

    text: str
    buttons: list[Button] | None = None
    sources: list[SourceOut] | None = None


class ChatResponse(BaseModel):
    """The bot's replies to one user message, in order."""

    messages: list[ChatMessage]


class AskRequest(_Body):
    """A question straight to the knowledge engine, without dialogue state."""

    question: UserText
    top_k: int = Field(default=3, ge=1, le=10, strict=True)


class AskResponse(BaseModel):
    """The engine's answer; `answer` is null when the guidelines do not cover the question.

    `short_answer` ("Kort svar") names who is responsible when the question matches a topic of
    the responsibility map; `quotes` are the passages it rests on, word for word. `reason` is
    "not_covered" or "clinical" (dosing and diagnosis are never answered) when out of scope."""

    answer: str | None
    out_of_scope: bool
    confidence: float
    sources: list[SourceOut]
    short_answer: str | None = None
    responsible: list[str] = []
    contributes: list[str] = []
    topic: str | None = None
    reason: str | None = None
    quotes: list[str] = []


class HealthResponse(BaseModel):
    """`status` is "ok" only when every component is ready."""

    status: str
    components: dict[str, str]
