"""Answer a question from the guidelines: hybrid retrieval, the responsibility map, a
calibrated confidence, and cited sources."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass, field
from typing import Protocol

import faiss
import numpy as np
import numpy.typing as npt

from knowledge.bm25 import BM25
from knowledge.calibration import Calibration
from knowledge.crisis_model import create_safety_rules
from knowledge.documents import Passage
from knowledge.encoder import Encoder
from knowledge.index import LoadedIndex, load_index
from knowledge.lexicon import Lexicon
from knowledge.loaders import load_encoder
from knowledge.responsibility import Topic, load_topics
from knowledge.safety import EMERGENCY_HINT, SafetyRules
from knowledge.services import load_services
from knowledge.settings import KnowledgeSettings
from knowledge.text import Normaliser, load_synonyms, load_variants

# Fusion, chosen on knowledge/tuning (190 questions), never on knowledge/eval: weighted sum
# 0.1 BM25 + 0.9 cosine + map boost 0.1 gave MRR 0.933 (hit@1 0.895), against 0.930 with a
# boost of 0.05, 0.914 with 0.2 BM25, 0.920 for the encoder alone and 0.699 for BM25 alone.
# (Reciprocal rank fusion lost to the weighted sum on the same data: 0.900 vs 0.906.)
LEXICAL_WEIGHT = 0.1
TOPIC_WEIGHT = 0.1
# The short answer from the map is shown only when the question matches its topic this well.
TOPIC_MIN_COSINE = 0.55
# National guidelines never give local facts: opening hours, contact details, pay, queues,
# vacancies. A question asking for one is a signal (a calibration feature), not a rule.
LOCAL_FACT = re.compile(
    r"(?<!\w)(?:åpningstid\w*|opningstid\w*|telefon\w*|adresse\w*|lønn\w*|tjener|tener|ventetid\w*|"
    r"ventelist\w*|ledige?|passord\w*|ansatte|tilsette|parkering\w*)(?!\w)",
    re.IGNORECASE,
)


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
    """The engine's reply: a short answer and the wording it rests on, or nothing when it
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
    """What the API and the Rasa actions need from a knowledge engine."""

    def ask(self, question: str, top_k: int = 3) -> Answer: ...


@dataclass(frozen=True)
class _Signals:
    """Everything retrieval computes for one question."""

    question: str
    terms: list[str]
    lexical: npt.NDArray[np.float64]
    dense: npt.NDArray[np.float64]
    topic_cosines: npt.NDArray[np.float64]
    fused: npt.NDArray[np.float64]
    query: npt.NDArray[np.float32]
    passage_cosine: float
    example_cosines: npt.NDArray[np.float64]


class KnowledgeEngine:
    """Hybrid BM25 + dense retrieval, boosted by the responsibility map, with calibrated confidence."""

    def __init__(
        self,
        index: LoadedIndex,
        topics: list[Topic],
        encoder: Encoder,
        normaliser: Normaliser,
        calibration: Calibration | None,
        service_names: dict[str, str],
        safety: SafetyRules,
        threshold: float | None = None,
    ) -> None:
        self._passages: list[Passage] = index.passages
        self._vectors = index.vectors
        self._encoder = encoder
        self._normaliser = normaliser
        self._calibration = calibration
        self._threshold = threshold
        self._service_names = service_names
        self._safety = safety
        self._topics = topics
        workers = Lexicon(normaliser.words(" ".join(index.vocabulary)), normaliser.stem)
        self._lexicon = Lexicon(
            [w for p in self._passages for w in normaliser.words(p.search_text())], normaliser.stem, workers
        )
        self._bm25 = BM25([normaliser.terms(p.search_text(), self._lexicon, split_known=True) for p in self._passages])
        self._position = {p.id: i for i, p in enumerate(self._passages)}
        self._examples, self._example_owners = index.examples, index.example_owners
        self._unanswerable = index.unanswerable
        self._topic_vectors = encoder.encode([t.search_text() for t in topics]) if topics else None
        self._topic_keywords = [[set(normaliser.terms(k)) - {""} for k in t.keywords] for t in topics]
        self._cited = [list(dict.fromkeys(self._position[c.passage_id] for c in t.citations)) for t in topics]

    def ask(self, question: str, top_k: int = 3) -> Answer:
        """Rank passages for `question`; answer with the best one (and the map's short
        answer when the question is about a mapped topic) only if confident; the crisis
        verdict first (certain: what to do now; uncertain: the answer and a line with 113)."""
        verdict = self._safety.verdict(question)
        if verdict.certain:
            return Answer(
                answer=None,
                out_of_scope=True,
                confidence=0.0,
                sources=[],
                short_answer=self._safety.message,
                reason="crisis",
                urgent=True,
            )
        answer = self._answer(question, top_k)
        return dataclasses.replace(answer, emergency_hint=EMERGENCY_HINT) if verdict.uncertain else answer

    def _answer(self, question: str, top_k: int) -> Answer:
        """The answer from the guidelines, or why there is none."""
        signals = self._signals(question)
        if not signals.terms:
            return Answer(answer=None, out_of_scope=True, confidence=0.0, sources=[], reason="not_covered")
        if self._safety.clinical(question):
            return Answer(answer=None, out_of_scope=True, confidence=0.0, sources=[], reason="clinical")
        ranked = [int(i) for i in np.argsort(-signals.fused, kind="stable")[:top_k]]
        sources = [self._source(i, float(signals.fused[i])) for i in ranked]
        confidence = self.confidence(signals)
        if confidence < self.threshold:
            return Answer(answer=None, out_of_scope=True, confidence=confidence, sources=sources, reason="not_covered")
        best = self._passages[ranked[0]]
        topic = self._matched_topic(signals, ranked[0])
        if topic is None:
            return Answer(
                answer=best.text, out_of_scope=False, confidence=confidence, sources=sources, quotes=[best.text]
            )
        cited = [self._passages[i].text for i in self._cited[self._topics.index(topic)]]
        return Answer(
            answer=best.text,
            out_of_scope=False,
            confidence=confidence,
            sources=sources,
            short_answer=topic.short_answer,
            responsible=tuple(self._service_names[s] for s in topic.responsible),
            contributes=tuple(self._service_names[s] for s in topic.contributes),
            topic=topic.title,
            quotes=list(dict.fromkeys([best.text, *cited]))[:2],
        )

    @property
    def threshold(self) -> float:
        """Confidence below which the engine says it does not know: the configured override,
        else the calibrated threshold, else 0.3 for the raw blend."""
        if self._threshold is not None:
            return self._threshold
        return self._calibration.threshold if self._calibration else 0.3

    def rankings(self, question: str) -> dict[str, list[str]]:
        """Passage ids best first by BM25 alone, the encoder alone and the fusion; for `make eval`."""
        signals = self._signals(question)
        scores = {"bm25": signals.lexical, "dense": signals.dense, "hybrid": signals.fused}
        return {name: [self._passages[i].id for i in np.argsort(-s, kind="stable")] for name, s in scores.items()}

    def features(self, question: str, leave_out_self: bool = False) -> npt.NDArray[np.float64]:
        """The calibration features of `question` (see knowledge.calibration.FEATURES);
        `leave_out_self` ignores an identical unanswerable example (for fitting on them)."""
        return self._features(self._signals(question), leave_out_self)

    def confidence(self, signals: _Signals) -> float:
        """Calibrated probability that the guidelines answer the question (raw blend if uncalibrated)."""
        features = self._features(signals)
        if self._calibration is None:
            return round(float(min(1.0, 0.65 * features[1] + 0.35 * max(features[0], 0.0))), 4)
        return round(self._calibration.probability(features), 4)

    def _signals(self, question: str) -> _Signals:
        terms = self._normaliser.terms(question, self._lexicon)
        lexical = self._bm25.scores(terms)
        # The encoder has seen little nynorsk: also embed the question with nynorsk words
        # mapped to bokmål (variants.yml) and keep each passage's better cosine.
        bokmal = " ".join(self._lexicon.repair(w) for w in self._normaliser.words(question))
        both = self._encoder.encode([question, bokmal])
        cosines, order = self._vectors.search(both, len(self._passages))
        dense = np.zeros((2, len(self._passages)))
        dense[0, order[0]] = cosines[0]
        dense[1, order[1]] = cosines[1]
        dense = dense.max(axis=0)
        passage_cosine = float(dense.max())
        query = both[:1]
        # nearest worker questions, for the question as typed or read as bokmål, whichever is closer
        example_cosines = (
            (self._examples @ both.T).max(axis=1).astype(np.float64) if len(self._example_owners) else np.zeros(0)
        )
        if len(example_cosines):
            # a passage is as close as its closest example question (chosen on knowledge/tuning:
            # MRR 0.934 -> 0.956 against a 0.3-0.7 blend, 0.943-0.955)
            np.maximum.at(dense, self._example_owners, example_cosines)
        topic_cosines = self._topic_scores(set(terms), query[0])
        top = float(lexical.max())
        fused = LEXICAL_WEIGHT * (lexical / top if top > 0 else lexical) + (1 - LEXICAL_WEIGHT) * dense
        if len(topic_cosines):
            best_topic = int(np.argmax(topic_cosines))
            for rank, i in enumerate(self._cited[best_topic]):
                fused[i] += TOPIC_WEIGHT * max(float(topic_cosines[best_topic]), 0.0) / (1 + rank)
        return _Signals(
            question, terms, lexical, dense, topic_cosines, fused, query[0], passage_cosine, example_cosines
        )

    def _topic_scores(self, terms: set[str], query: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """How well the question matches each topic: the cosine with its title and keywords,
        raised to 1 when a whole keyword occurs in the question ("IP", "bustad")."""
        if self._topic_vectors is None:
            return np.zeros(0)
        scores = (self._topic_vectors @ query).astype(np.float64)
        for i, keywords in enumerate(self._topic_keywords):
            if any(keyword and keyword <= terms for keyword in keywords):
                scores[i] = max(scores[i], 1.0)
        return scores

    def _features(self, signals: _Signals, leave_out_self: bool = False) -> npt.NDArray[np.float64]:
        """Cosine of the best passage, its idf-weighted query-term coverage, the best topic's
        cosine, the share of question words the guidelines never use, the fused margin, whether
        it asks for a local fact, whether it names a place or person the guidelines do not, and
        its cosine with the nearest question known to be unanswerable."""
        order = np.argsort(-signals.fused, kind="stable")
        best = int(order[0])
        unique = set(signals.terms)
        idf = self._bm25.idf
        total = sum(idf.get(t, self._bm25.unknown_idf) for t in unique)
        found = sum(idf[t] for t in unique if t in idf and self._bm25.contains(best, t))
        unknown = sum(t not in idf for t in unique) / max(len(unique), 1)
        margin = float(signals.fused[best] - signals.fused[int(order[1])]) if len(order) > 1 else 0.0
        topic = float(signals.topic_cosines.max()) if len(signals.topic_cosines) else 0.0
        local = 1.0 if LOCAL_FACT.search(signals.question) else 0.0
        return np.array(
            [
                float(signals.dense[best]),
                found / total if total else 0.0,
                topic,
                unknown,
                margin,
                local,
                self._names(signals),
                self._nearest_unanswerable(signals.query, leave_out_self),
                signals.passage_cosine,
                float(signals.example_cosines.max()) if len(signals.example_cosines) else 0.0,
                float(np.sort(signals.example_cosines)[-5:].mean()) if len(signals.example_cosines) else 0.0,
            ]
        )

    def _nearest_unanswerable(self, query: npt.NDArray[np.float32], leave_out_self: bool) -> float:
        if not len(self._unanswerable):
            return 0.0
        sims = (self._unanswerable @ query).astype(np.float64)
        if leave_out_self:
            sims = sims[sims < 0.9999]
        return float(sims.max()) if len(sims) else 0.0

    def _names(self, signals: _Signals) -> float:
        """1.0 if the question capitalises a word (not its first) that the guidelines never use:
        a local place, team or person ("Tromsø", "Helse Vest"), which they cannot know about."""
        words = re.findall(r"\w+", signals.question)
        return float(
            any(w[0].isupper() and not w.isupper() and w.lower() not in self._lexicon.words for w in words[1:])
        )

    def _matched_topic(self, signals: _Signals, best: int) -> Topic | None:
        """The map's topic for this question, if it matches well and cites the best passage's
        neighbourhood (same recommendation), so the short answer fits the quote."""
        if not len(signals.topic_cosines):
            return None
        index = int(np.argmax(signals.topic_cosines))
        if float(signals.topic_cosines[index]) < TOPIC_MIN_COSINE:
            return None
        topic = self._topics[index]
        groups = {self._passages[i].recommendation or self._passages[i].id for i in self._cited[index]}
        passage = self._passages[best]
        return topic if best in self._cited[index] or (passage.recommendation or passage.id) in groups else None

    def _source(self, index: int, score: float) -> Source:
        passage = self._passages[index]
        return Source(
            id=passage.id,
            document=passage.document,
            title=passage.section,
            text=passage.text,
            score=round(score, 5),
            recommendation=passage.recommendation,
            services=tuple(self._service_names[s] for s in passage.services),
        )


def create_engine(settings: KnowledgeSettings, calibrated: bool = True) -> KnowledgeEngine:
    """Load encoder, index, map and calibration named by `settings`; raises if any is
    missing or stale.

    The encoder goes first: a missing model should be reported as such, not as the stale
    index its absence also causes."""
    encoder = load_encoder(settings.encoder)
    return build_engine(settings, load_index(settings), encoder, calibrated)


def build_engine(
    settings: KnowledgeSettings,
    index: LoadedIndex,
    encoder: Encoder,
    calibrated: bool = True,
    safety: SafetyRules | None = None,
) -> KnowledgeEngine:
    """Assemble an engine over an already loaded index (also used while building it, with the
    patterns-only `safety` the calibration needs: fitting the crisis classifier would be wasted)."""
    # One question against ~100 passages: OpenMP threads only add wake-up latency, and under
    # load (2 cores shared with Rasa) they turned a 0.1 ms search into 9 ms.
    faiss.omp_set_num_threads(1)
    services = load_services(settings.services_file)
    topics = load_topics(settings.responsibility_file, index.passages, services)
    normaliser = Normaliser(load_synonyms(settings.synonyms_file), load_variants(settings.variants_file))
    calibration = Calibration.load(index.calibration) if calibrated and index.calibration else None
    names = {tag: service.name for tag, service in services.items()}
    safety = safety or create_safety_rules(settings)
    return KnowledgeEngine(index, topics, encoder, normaliser, calibration, names, safety, settings.answer_threshold)
