"""Referral guidance: from a short description of a person to a main pathway (hovedforløp),
who leads, what else to do, and the guideline passages that say so.

Why rules and not a model: a worker must be able to see why the assistant suggests a
pathway, and content owners must be able to change it. Every rule lives in
`knowledge/referral.yml`; this module only reads descriptions with it. What the description
does not say is reported as missing, never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from knowledge.base import load_knowledge_base
from knowledge.crisis_model import create_safety_rules
from knowledge.documents import Passage
from knowledge.loaders import load_semantic_encoder
from knowledge.patterns import readings
from knowledge.referral_model import LevelReader, train_level_reader
from knowledge.referral_rules import PathwayRule, Question, RecommendationRule, ReferralRules
from knowledge.responsibility import Topic
from knowledge.safety import EMERGENCY_HINT, Crisis, SafetyRules
from knowledge.settings import KnowledgeSettings

_CLAUSE_END = re.compile(r"[.!?;,:]")


@dataclass(frozen=True)
class Cited:
    """A passage quoted word for word, with where it stands."""

    passage_id: str
    document: str
    section: str
    quote: str


@dataclass(frozen=True)
class Recommendation:
    """Something the guidelines recommend for this person, and the passage behind it."""

    id: str
    text: str
    source: Cited


@dataclass(frozen=True)
class Referral:
    """The suggestion for one description."""

    urgent: bool
    crisis: Crisis | None
    pathway: int | None
    lead: str
    actors: list[str]
    recommendations: list[Recommendation]
    missing: list[str]
    questions: list[Question]
    sources: list[Cited]
    severity: str | None = None
    duration: str | None = None
    substances: list[str] = field(default_factory=list)
    diagnoses: list[str] = field(default_factory=list)
    findings: list[str] = field(default_factory=list)
    emergency_hint: str | None = None


class ReferralEngine:
    """Suggests a pathway and recommendations for a described person."""

    def __init__(
        self,
        rules: ReferralRules,
        topics: list[Topic],
        passages: list[Passage],
        service_names: dict[str, str],
        safety: SafetyRules,
        reader: LevelReader | None = None,
    ) -> None:
        self._rules = rules
        self._reader = reader
        self._topics = {t.id: t for t in topics}
        self._passages = {p.id: p for p in passages}
        self._names = service_names
        self._safety = safety

    @property
    def questions(self) -> dict[str, Question]:
        """The follow-up question for each detail, with its answer options."""
        return self._rules.questions

    @property
    def safety(self) -> SafetyRules:
        """The crisis rules the engine checks descriptions with."""
        return self._safety

    def suggest(self, description: str, severity: str | None = None, duration: str | None = None) -> Referral:
        """Read `description`; `severity` and `duration`, when given (the user chose them),
        win over what the text suggests."""
        written = readings(description)
        texts = tuple(dict.fromkeys((*written, *map(self._rules.respell, written))))
        verdict = self._safety.verdict(description)
        crisis = verdict.crisis if verdict.certain else None
        severity = severity or self._level(self._rules.severity, texts) or self._learned("severity", description)
        duration = duration or self._level(self._rules.duration, texts) or self._learned("duration", description)
        facts = {name for name, patterns in self._rules.facts.items() if self._found(patterns, texts)}
        facts |= {f"severity:{severity}", f"duration:{duration}"}
        pathway = next((p for p in self._rules.pathways if severity in p.severity and duration in p.duration), None)
        if pathway:
            facts.add(f"pathway:{pathway.number}")
        rules = [r for r in self._rules.recommendations if any(line <= facts for line in r.when)]
        recommendations = [Recommendation(r.id, r.text, self._cite(r.topic, r.quote)) for r in rules]
        missing = [slot for slot, value in (("severity", severity), ("duration", duration)) if value is None]
        lead = pathway.lead if pathway else "Uavklart: svar på spørsmålene under, så foreslår jeg et hovedforløp."
        if crisis:
            lead = self._safety.message
        actors = self._actors(pathway, rules)
        sources = ([self._cite(pathway.topic, 0)] if pathway else []) + [r.source for r in recommendations]
        return Referral(
            urgent=crisis is not None,
            crisis=crisis,
            pathway=pathway.number if pathway else None,
            lead=lead,
            actors=actors,
            recommendations=recommendations,
            missing=missing,
            questions=[self._rules.questions[slot] for slot in missing],
            sources=list({s.passage_id + s.quote: s for s in sources}.values()),
            severity=severity,
            duration=duration,
            substances=[n for n, p in self._rules.substances.items() if self._found((p,), texts)],
            diagnoses=[n for n, p in self._rules.diagnoses.items() if self._found((p,), texts)],
            findings=[label for name, label in self._rules.fact_labels.items() if name in facts],
            emergency_hint=EMERGENCY_HINT if verdict.uncertain else None,
        )

    def _level(
        self, entries: tuple[tuple[str, tuple[re.Pattern[str], ...]], ...], texts: tuple[str, ...]
    ) -> str | None:
        """The level of the first entry with a cue in the text (entries are in priority order)."""
        return next((level for level, cues in entries if self._found(cues, texts)), None)

    def _learned(self, slot: str, description: str) -> str | None:
        """The model's reading of a level the rules did not find (None when unsure or unsaid)."""
        return self._reader.read(slot, description) if self._reader else None

    def _found(self, patterns: tuple[re.Pattern[str], ...], texts: tuple[str, ...]) -> bool:
        """Whether any pattern matches somewhere not negated just before, in the same clause."""
        window = self._rules.negation_window
        for text in texts:
            for pattern in patterns:
                for match in pattern.finditer(text):
                    clause = _CLAUSE_END.split(text[: match.start()])[-1]
                    before = re.findall(r"\w+", clause)[-window:]
                    if not any(self._rules.negation.fullmatch(word) for word in before):
                        return True
        return False

    def _actors(self, pathway: PathwayRule | None, rules: list[RecommendationRule]) -> list[str]:
        """Services to involve: the pathway's contacts, then those the recommendations name."""
        tags = list(pathway.contact) if pathway else []
        for rule in rules:
            topic = self._topics[rule.topic]
            tags += [*topic.responsible, *topic.contributes]
        return list(dict.fromkeys(self._names[t] for t in tags if t not in ("bruker", "pårørende")))

    def _cite(self, topic_id: str, quote: int) -> Cited:
        citation = self._topics[topic_id].citations[quote]
        passage = self._passages[citation.passage_id]
        return Cited(citation.passage_id, passage.document, passage.section, citation.quote)


def create_referral_engine(settings: KnowledgeSettings) -> ReferralEngine:
    """Load the knowledge base (which validates the rules) and build the engine on it, with
    the crisis check every other part of the service uses and the learned level reader (with
    sentence meaning when the e5 encoder is on)."""
    base = load_knowledge_base(settings)
    names = {tag: service.name for tag, service in base.services.items()}
    encoder = load_semantic_encoder(settings).encoder
    reader = train_level_reader(settings.tuning_dir, base.referral.respell, encoder, settings.semantic_cache_dir)
    return ReferralEngine(base.referral, base.topics, base.passages, names, create_safety_rules(settings), reader)
