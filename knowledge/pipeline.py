"""Answer a question from the guidelines: a safety gate, then retrieval components, fusion, a
calibrated confidence and the answer with cited sources.

The components (knowledge.retrievers, knowledge.ranking) each have a typed `run()`; this module
only runs them in order. knowledge.assemble builds them from the settings.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.answer import Answer, Source
from knowledge.documents import Passage
from knowledge.ranking import ConfidenceScorer, Fusion, Signals, TopicMatcher, top
from knowledge.responsibility import Topic
from knowledge.retrievers import DenseRetriever, LexicalRetriever, QueryReader, SemanticRetriever
from knowledge.safety import EMERGENCY_HINT, SafetyRules, Verdict

# The short answer from the map is shown only when the question matches its topic this well.
TOPIC_MIN_COSINE = 0.55


@dataclass(frozen=True)
class Components:
    """Every component of the pipeline, in the order they run."""

    reader: QueryReader
    lexical: LexicalRetriever
    dense: DenseRetriever
    semantic: SemanticRetriever | None
    topics: TopicMatcher
    fusion: Fusion
    confidence: ConfidenceScorer


class AnswerBuilder:
    """Turns ranked passages into the answer: the best passage's wording, and the map's short
    answer with who is responsible when the question is about one of its topics."""

    def __init__(
        self, passages: list[Passage], topics: list[Topic], cited: list[list[int]], names: dict[str, str]
    ) -> None:
        self._passages = passages
        self._topics = topics
        self._cited = cited
        self._names = names

    def source(self, index: int, score: float) -> Source:
        """A passage as the user sees it."""
        passage = self._passages[index]
        return Source(
            id=passage.id,
            document=passage.document,
            title=passage.section,
            text=passage.text,
            score=round(score, 5),
            recommendation=passage.recommendation,
            services=tuple(self._names[s] for s in passage.services),
        )

    def run(self, signals: Signals, ranked: list[int], confidence: float) -> Answer:
        """The answer resting on `ranked[0]`, with the map's short answer if its topic fits."""
        sources = [self.source(i, float(signals.fused[i])) for i in ranked]
        best = self._passages[ranked[0]]
        topic = self._matched_topic(signals.topics, ranked[0])
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
            responsible=tuple(self._names[s] for s in topic.responsible),
            contributes=tuple(self._names[s] for s in topic.contributes),
            topic=topic.title,
            quotes=list(dict.fromkeys([best.text, *cited]))[:2],
        )

    def _matched_topic(self, scores: npt.NDArray[np.float64], best: int) -> Topic | None:
        """The map's topic for this question, if it matches well and cites the best passage's
        neighbourhood (same recommendation), so the short answer fits the quote."""
        if not len(scores):
            return None
        index = int(np.argmax(scores))
        if float(scores[index]) < TOPIC_MIN_COSINE:
            return None
        groups = {self._passages[i].recommendation or self._passages[i].id for i in self._cited[index]}
        passage = self._passages[best]
        topic = self._topics[index]
        return topic if best in self._cited[index] or (passage.recommendation or passage.id) in groups else None


class KnowledgePipeline:
    """Safety gate, retrieval, fusion, confidence and answer, over one knowledge base."""

    def __init__(
        self,
        passages: list[Passage],
        components: Components,
        builder: AnswerBuilder,
        safety: SafetyRules,
        threshold: float | None = None,
    ) -> None:
        self._passages = passages
        self._c = components
        self._builder = builder
        self._safety = safety
        self._threshold = threshold

    @property
    def passage_ids(self) -> list[str]:
        """The passages' ids, in the order of every score array."""
        return [p.id for p in self._passages]

    @property
    def semantic(self) -> bool:
        """Whether e5 is one of the signals."""
        return self._c.semantic is not None

    @property
    def threshold(self) -> float:
        """Confidence below which the pipeline says it does not know: the configured override,
        else the calibrated threshold, else 0.3 for the raw blend."""
        if self._threshold is not None:
            return self._threshold
        calibration = self._c.confidence.calibration
        return calibration.threshold if calibration else 0.3

    def ask(self, question: str, top_k: int = 3, verdict: Verdict | None = None) -> Answer:
        """The safety gate first (certain: what to do now; uncertain: the answer and a line with
        113), then clinical questions are refused before any retrieval is paid for; otherwise
        the best passage if confident. `verdict` is the caller's, for this very text."""
        verdict = verdict or self._safety.verdict(question)
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
        if self._safety.clinical(question):
            return Answer(answer=None, out_of_scope=True, confidence=0.0, sources=[], reason="clinical")
        signals = self.signals(question)
        if not signals.query.terms:
            return Answer(answer=None, out_of_scope=True, confidence=0.0, sources=[], reason="not_covered")
        ranked = [int(i) for i in top(signals.fused, top_k)]
        confidence = self._c.confidence.run(signals)
        if confidence < self.threshold:
            sources = [self._builder.source(i, float(signals.fused[i])) for i in ranked]
            return Answer(answer=None, out_of_scope=True, confidence=confidence, sources=sources, reason="not_covered")
        return self._builder.run(signals, ranked, confidence)

    def signals(self, question: str, leave_out_self: bool = False) -> Signals:
        """Run every component up to fusion."""
        c = self._c
        query = c.reader.run(question)
        lexical = c.lexical.run(query)
        dense = c.dense.run(query)
        semantic = c.semantic.run(query, leave_out_self) if c.semantic else None
        topics = c.topics.run(query, dense.vector)
        return Signals(query, lexical, dense, semantic, topics, c.fusion.run(lexical, dense, semantic, topics))

    def features(self, question: str, leave_out_self: bool = False) -> npt.NDArray[np.float64]:
        """The calibration features of `question`; `leave_out_self` ignores an identical
        unanswerable example (for fitting on them)."""
        return self._c.confidence.features(self.signals(question, leave_out_self), leave_out_self)

    def rankings(self, question: str) -> dict[str, list[str]]:
        """Passage ids best first by BM25 alone, the encoder alone and the fusion; for `make eval`."""
        signals = self.signals(question)
        scores = {"bm25": signals.lexical, "dense": signals.dense.scores, "hybrid": signals.fused}
        return {name: [self._passages[i].id for i in np.argsort(-s, kind="stable")] for name, s in scores.items()}
