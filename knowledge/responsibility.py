"""The responsibility map: topics -> who is responsible, who contributes, and the passages
that say so.

Why: "who is responsible for X" deserves a short, curated answer, but only one the
guidelines back word for word. Loading validates every citation against the passages, so
a map that drifts from the sources stops `make index` instead of reaching a user.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.documents import Passage
from knowledge.services import Service


@dataclass(frozen=True)
class Citation:
    """A passage and the exact words in it that support a topic's short answer."""

    passage_id: str
    quote: str


@dataclass(frozen=True)
class Topic:
    """One entry of the map."""

    id: str
    title: str
    keywords: tuple[str, ...]
    responsible: tuple[str, ...]
    contributes: tuple[str, ...]
    short_answer: str
    citations: tuple[Citation, ...]

    def search_text(self) -> str:
        """Text the encoder embeds to match questions to this topic."""
        return " ".join((self.title, *self.keywords))


def load_topics(path: Path, passages: list[Passage], services: dict[str, Service]) -> list[Topic]:
    """Read `responsibility.yml` and check it against the passages and services.

    Raises ValueError listing every problem, so an editor can fix them in one go."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    texts = {p.id: p.text for p in passages}
    topics: list[Topic] = []
    problems: list[str] = []
    for entry in raw.get("topics") or []:
        tid = str(entry.get("id", "?"))
        citations = tuple(Citation(str(c["id"]), str(c["quote"])) for c in entry.get("passages") or [])
        topic = Topic(
            id=tid,
            title=str(entry.get("title", "")),
            keywords=tuple(str(k) for k in entry.get("keywords") or []),
            responsible=tuple(str(s) for s in entry.get("responsible") or []),
            contributes=tuple(str(s) for s in entry.get("contributes") or []),
            short_answer=str(entry.get("short_answer", "")).strip(),
            citations=citations,
        )
        problems += _problems(topic, texts, services)
        topics.append(topic)
    ids = [t.id for t in topics]
    problems += [f"topic id {i!r} is used twice" for i in sorted({i for i in ids if ids.count(i) > 1})]
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return topics


def _problems(topic: Topic, texts: dict[str, str], services: dict[str, Service]) -> list[str]:
    """What is wrong with one topic, as readable sentences."""
    found: list[str] = []
    if not (topic.title and topic.short_answer and topic.keywords and topic.responsible and topic.citations):
        found.append(f"{topic.id}: needs title, keywords, responsible, short_answer and passages")
    for tag in (*topic.responsible, *topic.contributes):
        if tag not in services:
            found.append(f"{topic.id}: unknown service {tag!r} (see services.yml)")
    for citation in topic.citations:
        text = texts.get(citation.passage_id)
        if text is None:
            found.append(f"{topic.id}: passage {citation.passage_id!r} does not exist")
        elif citation.quote not in text:
            found.append(f"{topic.id}: quote not found word for word in {citation.passage_id}: {citation.quote!r}")
    return found
