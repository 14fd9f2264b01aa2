"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

SENDER_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
MAX_TEXT_CHARS = 5000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(value: str) -> str:
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


UserText = Annotated[str, Field(strict=True), AfterValidator(clean_text)]
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
    "not_covered", "clinical" (dosing and diagnosis are never answered) or "crisis" when out of
    scope; for "crisis", `urgent` is true and `short_answer` says what to do now (113, 116 117)."""

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
    urgent: bool = False


class ReferralRequest(_Body):
    """A short description of a person; `severity` and `duration`, when given, win over the text."""

    description: UserText = Field(description="A sentence or two about the person, without names.")
    severity: Literal["mild", "moderate", "severe"] | None = None
    duration: Literal["short", "long"] | None = None


class CitedOut(BaseModel):
    """A guideline passage quoted word for word."""

    id: str
    document: str
    section: str
    quote: str


class RecommendationOut(BaseModel):
    """What the guidelines recommend for this person, and where they say so."""

    id: str
    text: str
    source: CitedOut


class FollowUpOut(BaseModel):
    """A question to ask for a missing detail; `options` maps each value to its button title."""

    slot: str
    text: str
    options: dict[str, str]


class ReferralResponse(BaseModel):
    """The suggested main pathway (hovedforløp 1–3, null while severity or duration is unknown),
    who leads, whom to involve, extra recommendations, and what is still `missing`.

    `urgent` is true when the description is about an emergency; `message` then says what to
    do now, before anything else."""

    urgent: bool
    crisis: str | None = None
    message: str | None = None
    pathway: Literal[1, 2, 3] | None
    lead: str
    actors: list[str]
    recommendations: list[RecommendationOut]
    missing: list[str]
    questions: list[FollowUpOut]
    sources: list[CitedOut]
    severity: str | None = None
    duration: str | None = None
    substances: list[str] = []
    diagnoses: list[str] = []
    findings: list[str] = []


class HealthResponse(BaseModel):
    """`status` is "ok" only when every component is ready."""

    status: str
    components: dict[str, str]
