"""The referral rules in `knowledge/referral.yml`, compiled and checked.

Why a module of its own: the knowledge base validates these rules together with the map they
cite (`make index` stops on a broken rule), while the engine that applies them is loaded only
by the services that suggest referrals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from knowledge.patterns import compile_patterns
from knowledge.responsibility import Topic

SEVERITIES = ("mild", "moderate", "severe")
DURATIONS = ("short", "long")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Question:
    """A follow-up question for a missing detail, with the answers to offer as buttons."""

    slot: str
    text: str
    options: dict[str, str]


@dataclass(frozen=True)
class PathwayRule:
    """Severity and duration levels that lead to one pathway, who leads and whom to contact."""

    number: int
    severity: frozenset[str]
    duration: frozenset[str]
    lead: str
    lead_services: tuple[str, ...]
    contact: tuple[str, ...]
    topic: str


@dataclass(frozen=True)
class RecommendationRule:
    """A recommendation, the fact combinations that call for it, and the map topic that cites it."""

    id: str
    when: tuple[frozenset[str], ...]
    text: str
    topic: str
    quote: int


@dataclass(frozen=True)
class ReferralRules:
    """The compiled contents of referral.yml."""

    negation: re.Pattern[str]
    negation_window: int
    # (level, cues) checked in order: the first entry with a cue in the text decides
    severity: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    duration: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]
    facts: dict[str, tuple[re.Pattern[str], ...]]
    fact_labels: dict[str, str]
    substances: dict[str, re.Pattern[str]]
    diagnoses: dict[str, re.Pattern[str]]
    pathways: tuple[PathwayRule, ...]
    recommendations: tuple[RecommendationRule, ...]
    questions: dict[str, Question]
    # dialect, nynorsk and typed-without-æøå word forms, read as the bokmål word before matching
    spellings: dict[str, str]

    def respell(self, text: str) -> str:
        """`text` (lower-cased) with every listed word form replaced by its bokmål word."""
        return _WORD.sub(lambda m: self.spellings.get(m.group(0), m.group(0)), text)


def load_referral_rules(path: Path, topics: list[Topic], services: set[str]) -> ReferralRules:
    """Read referral.yml and check it against the map and the services; raise ValueError
    listing every problem."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    problems: list[str] = []
    topic_ids = {t.id: t for t in topics}

    def cues(section: str, allowed: tuple[str, ...]) -> tuple[tuple[str, tuple[re.Pattern[str], ...]], ...]:
        entries = raw.get(section) or []
        problems.extend(
            f"{section}: unknown level {e.get('level')!r}" for e in entries if e.get("level") not in allowed
        )
        problems.extend(
            f"{section}: no cues for {level!r}" for level in allowed if level not in {e.get("level") for e in entries}
        )
        return tuple(
            (str(e.get("level")), compile_patterns(e.get("cues") or [], f"{section}.{e.get('level')}", problems))
            for e in entries
        )

    def check_topic(where: str, topic: str, quote: int = 0) -> None:
        if topic not in topic_ids:
            problems.append(f"{where}: topic {topic!r} is not in responsibility.yml")
        elif not 0 <= quote < len(topic_ids[topic].citations):
            problems.append(f"{where}: topic {topic!r} has no quote number {quote}")

    severity = cues("severity", SEVERITIES)
    duration = cues("duration", DURATIONS)
    raw_facts = raw.get("facts") or {}
    problems.extend(
        f"facts.{k}: needs a label and cues" for k, v in raw_facts.items() if not v.get("label") or not v.get("cues")
    )
    facts = {k: compile_patterns(v.get("cues") or [], f"facts.{k}", problems) for k, v in raw_facts.items()}
    fact_labels = {k: str(v.get("label", k)) for k, v in raw_facts.items()}
    pathways = []
    for entry in raw.get("pathways") or []:
        where = f"pathway {entry.get('pathway')}"
        check_topic(where, str(entry.get("topic")))
        problems.extend(
            f"{where}: unknown service {s!r}"
            for s in [*entry.get("lead_services", []), *entry.get("contact", [])]
            if s not in services
        )
        pathways.append(
            PathwayRule(
                int(entry["pathway"]),
                frozenset(entry["severity"]),
                frozenset(entry["duration"]),
                str(entry["lead"]),
                tuple(entry.get("lead_services", [])),
                tuple(entry.get("contact", [])),
                str(entry["topic"]),
            )
        )
    cells = [(s, d) for p in pathways for s in p.severity for d in p.duration]
    if sorted(cells) != sorted((s, d) for s in SEVERITIES for d in DURATIONS):
        problems.append("pathways: every severity × duration must lead to exactly one pathway")
    known = set(facts) | {f"severity:{s}" for s in SEVERITIES} | {f"duration:{d}" for d in DURATIONS}
    known |= {f"pathway:{p.number}" for p in pathways}
    rules = []
    for entry in raw.get("recommendations") or []:
        where = f"recommendation {entry.get('id')}"
        when = tuple(frozenset(line.split("+")) for line in entry.get("when") or [])
        problems.extend(f"{where}: unknown fact {f!r}" for line in when for f in line if f not in known)
        check_topic(where, str(entry.get("topic")), int(entry.get("quote", 0)))
        rules.append(
            RecommendationRule(
                str(entry["id"]), when, str(entry["text"]), str(entry["topic"]), int(entry.get("quote", 0))
            )
        )
    questions = {
        slot: Question(slot, str(spec["text"]), {str(k): str(v) for k, v in spec["options"].items()})
        for slot, spec in (raw.get("questions") or {}).items()
    }
    if set(questions) != {"severity", "duration"}:
        problems.append("questions: need one for severity and one for duration")
    negation = compile_patterns([str(raw.get("negation", "ikke"))], "negation", problems)
    substances = {k: p for k, v in (raw.get("substances") or {}).items() for p in compile_patterns([v], k, problems)}
    diagnoses = {k: p for k, v in (raw.get("diagnoses") or {}).items() for p in compile_patterns([v], k, problems)}
    spellings = {str(form): str(word) for word, forms in (raw.get("spellings") or {}).items() for form in forms}
    if problems:
        raise ValueError(f"{path}: " + "; ".join(problems))
    return ReferralRules(
        negation=negation[0],
        negation_window=int(raw.get("negation_window", 3)),
        severity=severity,
        duration=duration,
        facts=facts,
        fact_labels=fact_labels,
        substances=substances,
        diagnoses=diagnoses,
        pathways=tuple(pathways),
        recommendations=tuple(rules),
        questions=questions,
        spellings=spellings,
    )
