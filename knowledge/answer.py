"""What the knowledge pipeline gives its callers: an answer with cited sources, or why there is none."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from knowledge.safety import Verdict


@dataclass(frozen=True)
class Source:
    """A passage as shown to the user, with its retrieval score and what it belongs to."""

    id: str
    document: str
    title: str
    text: str
    score: float
    recommendation: str = ""
    services: tuple[str, ...] = ()


@dataclass(frozen=True)
class Answer:
    """The pipeline's reply: a short answer and the wording it rests on, or nothing when it
    does not know (`reason` says why: "not_covered", "clinical", or "crisis", when the message
    is certainly about an emergency: then `urgent` is set and `short_answer` says what to do now).
    `emergency_hint` is the one line with 113 to show above the answer when it may be one."""

    answer: str | None
    out_of_scope: bool
    confidence: float
    sources: list[Source]
    short_answer: str | None = None
    responsible: tuple[str, ...] = ()
    contributes: tuple[str, ...] = ()
    topic: str | None = None
    reason: str | None = None
    quotes: list[str] = field(default_factory=list)
    urgent: bool = False
    emergency_hint: str | None = None


class Answerer(Protocol):
    """What the API and the Rasa actions need from the knowledge side. `verdict` is the safety
    verdict a caller already has for this very text (the gateway decides it once per message);
    without it the pipeline decides it itself."""

    def ask(self, question: str, top_k: int = 3, verdict: Verdict | None = None) -> Answer: ...
