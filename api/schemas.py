"""Request and response bodies of the public HTTP contract."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from contract.language import Language
from contract.nynorsk import localized

MAX_TEXT_CHARS = 5000
INVALID_TEXT = "Teksten har ugyldige tegn. Skriv den på nytt."
TOO_LONG = "Meldingen er for lang (over {limit} tegn). Kort den ned og prøv igjen."
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# Half of a UTF-16 pair, which JSON can smuggle in as "\ud800": no UTF-8 encoder (spaCy, the
# database, a log file) accepts it.
_SURROGATE = re.compile(r"[\ud800-\udfff]")


class TextRefused(ValueError):
    """A refused text, with its message as a template and fields, so the error handler can give it
    in the deployment's language (contract.nynorsk) before filling it in."""

    def __init__(self, template: str, **fields: object) -> None:
        super().__init__(template.format(**fields))
        self.template, self.fields = template, fields


def refusal(error: ValueError, language: Language) -> str:
    """What a refused text's error says, in `language`."""
    if isinstance(error, TextRefused):
        return localized(error.template, language).format(**error.fields)
    return localized(str(error), language)


def clean_text(value: str) -> str:
    """Trim and drop control characters; refuse invalid, empty and over-long text in Norwegian.
    (Fields with a length limit get pydantic's `string_unicode` error for a surrogate instead.)"""
    if _SURROGATE.search(value):
        raise ValueError(INVALID_TEXT)
    value = _CONTROL.sub("", value).strip()
    if not value:
        raise ValueError("Meldingen er tom. Skriv et spørsmål.")
    if len(value) > MAX_TEXT_CHARS:
        raise TextRefused(TOO_LONG, limit=MAX_TEXT_CHARS)
    return value


UserText = Annotated[str, Field(strict=True), AfterValidator(clean_text)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NewConversation(BaseModel):
    """A web conversation's identity: send `token` as `Authorization: Bearer <token>`."""

    conversation_id: str
    token: str
    expires_at: int = Field(description="Unix seconds; after that, start a new conversation.")
    language: Language = Field(default="nb", description="The written standard the assistant starts in: nb or nn.")


class ChatRequest(_Body):
    """One user message; the conversation is the one the bearer token was issued for."""

    message: UserText = Field(description="The user's text, or the payload of a button the assistant sent.")


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
    stored: str | None = Field(
        default=None, description="The message as it was kept, names and numbers masked; absent for a button."
    )
    language: Language = Field(
        default="nb", description="The conversation's written standard now (nb or nn); the client's words follow it."
    )


class AskRequest(_Body):
    """A question straight to the knowledge engine, without dialogue state."""

    question: UserText
    top_k: int = Field(default=3, ge=1, le=10, strict=True)


class AskResponse(BaseModel):
    """The engine's answer; `answer` is null when the guidelines do not cover the question.

    `short_answer` ("Kort svar") names who is responsible when the question matches a topic of
    the responsibility map; `quotes` are the passages it rests on, word for word. `reason` is
    "not_covered", "clinical" (dosing and diagnosis are never answered) or "crisis" when out of
    scope; for "crisis", `urgent` is true and `short_answer` says what to do now (113, 116 117).
    `emergency_hint`, when set, is one line with 113 to show above the answer: the question may,
    but need not, be about an emergency."""

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
    emergency_hint: str | None = None


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
    do now, before anything else. `emergency_hint`, when set, is one line with 113 to show above
    the suggestion: the description may, but need not, be about an emergency."""

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
    emergency_hint: str | None = None


class HealthResponse(BaseModel):
    """`status` is "ok" only when every component is ready."""

    status: str
    components: dict[str, str]
