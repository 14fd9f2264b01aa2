"""The components after retrieval: topic matching, score fusion, and the calibrated confidence."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from knowledge.bm25 import BM25
from knowledge.calibration import Calibration
from knowledge.encoder import Encoder
from knowledge.lexicon import Lexicon
from knowledge.responsibility import Topic
from knowledge.retrievers import DenseHits, Query, Scores, SemanticHits
from knowledge.text import Normaliser

# Fusion, chosen on knowledge/tuning, never on knowledge/eval or the field set (scripts/tune_fusion.py
# prints the grid): weighted sum 0.1 BM25 + 0.9 cosine + map boost 0.1 gave MRR 0.933 (hit@1 0.895),
# against 0.930 with a boost of 0.05, 0.914 with 0.2 BM25, 0.920 for the encoder alone and 0.699 for
# BM25 alone (reciprocal rank fusion lost to the weighted sum). e5's nearest example question is
# added with weight 3: hit@1 on the tuning questions 0.941 -> 0.966 (1: 0.955, 2: 0.961, 5: 0.964).
LEXICAL_WEIGHT = 0.1
TOPIC_WEIGHT = 0.1
SEMANTIC_WEIGHT = 3.0
# National guidelines never give local facts: opening hours, contact details, pay, queues,
# vacancies. A question asking for one is a signal (a calibration feature), not a rule.
LOCAL_FACT = re.compile(
    r"(?<!\w)(?:åpningstid\w*|opningstid\w*|telefon\w*|adresse\w*|lønn\w*|tjener|tener|ventetid\w*|"
    r"ventelist\w*|ledige?|passord\w*|ansatte|tilsette|parkering\w*)(?!\w)",
    re.IGNORECASE,
)


def top(scores: Scores, k: int) -> npt.NDArray[np.intp]:
    """Positions of the `k` highest scores, best first, ties in position order: the start of a
    stable argsort, without sorting every passage (10,000 of them: 0.6 ms a sort)."""
    if k >= len(scores):
        return np.argsort(-scores, kind="stable")
    threshold = np.partition(scores, len(scores) - k)[len(scores) - k]
    candidates = np.flatnonzero(scores >= threshold)  # the k best and any tied with the k-th
    return candidates[np.argsort(-scores[candidates], kind="stable")][:k]


class TopicMatcher:
    """How well the question matches each topic of the responsibility map."""

    def __init__(self, topics: list[Topic], encoder: Encoder, normaliser: Normaliser) -> None:
        self._vectors = encoder.encode([t.search_text() for t in topics]) if topics else None
        self._keywords = [[set(normaliser.terms(k)) - {""} for k in t.keywords] for t in topics]

    def run(self, query: Query, vector: npt.NDArray[np.float32]) -> Scores:
        """The cosine with a topic's title and keywords, raised to 1 when a whole keyword occurs
        in the question ("IP", "bustad")."""
        if self._vectors is None:
            return np.zeros(0)
        scores = (self._vectors @ vector).astype(np.float64)
        terms = set(query.terms)
        for i, keywords in enumerate(self._keywords):
            if any(keyword and keyword <= terms for keyword in keywords):
                scores[i] = max(scores[i], 1.0)
        return scores


class Fusion:
    """One score per passage from every signal (weights above)."""

    def __init__(self, cited: list[list[int]]) -> None:
        self._cited = cited

    def run(self, lexical: Scores, dense: DenseHits, semantic: SemanticHits | None, topics: Scores) -> Scores:
        """Weighted sum, then the best topic's cited passages are lifted by its cosine, the
        first cited most."""
        fused = LEXICAL_WEIGHT * lexical + (1 - LEXICAL_WEIGHT) * dense.scores
        if semantic is not None:
            fused = fused + SEMANTIC_WEIGHT * semantic.scores
        if len(topics):
            best = int(np.argmax(topics))
            for rank, i in enumerate(self._cited[best]):
                fused[i] += TOPIC_WEIGHT * max(float(topics[best]), 0.0) / (1 + rank)
        return fused


@dataclass(frozen=True)
class Signals:
    """Everything the components computed for one question."""

    query: Query
    lexical: Scores
    dense: DenseHits
    semantic: SemanticHits | None
    topics: Scores
    fused: Scores


class ConfidenceScorer:
    """The calibrated probability that the guidelines answer the question (knowledge.calibration)."""

    def __init__(
        self,
        bm25: BM25,
        lexicon: Lexicon,
        unanswerable: npt.NDArray[np.float32],
        calibration: Calibration | None,
    ) -> None:
        self._bm25 = bm25
        self._lexicon = lexicon
        self._unanswerable = unanswerable
        self.calibration = calibration

    def run(self, signals: Signals) -> float:
        """The calibrated probability, or the raw blend of cosine and coverage if uncalibrated."""
        features = self.features(signals)
        if self.calibration is None:
            return round(float(min(1.0, 0.65 * features[1] + 0.35 * max(features[0], 0.0))), 4)
        return round(self.calibration.probability(features), 4)

    def features(self, signals: Signals, leave_out_self: bool = False) -> npt.NDArray[np.float64]:
        """Cosine of the best passage, its idf-weighted query-term coverage, the best topic's
        cosine, the share of question words the guidelines never use, the fused margin, whether
        it asks for a local fact, whether it names a place or person the guidelines do not, its
        cosine with the nearest question known to be unanswerable, the best passage and example
        cosines; with e5, its best passage, example and unanswerable cosines too (the order of
        knowledge.calibration.FEATURES)."""
        order = top(signals.fused, 2)
        best = int(order[0])
        unique = set(signals.query.terms)
        idf = self._bm25.idf
        total = sum(idf.get(t, self._bm25.unknown_idf) for t in unique)
        found = sum(idf[t] for t in unique if t in idf and self._bm25.contains(best, t))
        examples = signals.dense.example_cosines
        base = [
            float(signals.dense.scores[best]),
            found / total if total else 0.0,
            float(signals.topics.max()) if len(signals.topics) else 0.0,
            sum(t not in idf for t in unique) / max(len(unique), 1),
            float(signals.fused[best] - signals.fused[int(order[1])]) if len(order) > 1 else 0.0,
            1.0 if LOCAL_FACT.search(signals.query.text) else 0.0,
            self._names(signals.query.text),
            self._nearest_unanswerable(signals.dense.vector, leave_out_self),
            signals.dense.passage_cosine,
            float(examples.max()) if len(examples) else 0.0,
            float(np.sort(examples)[-5:].mean()) if len(examples) else 0.0,
        ]
        s = signals.semantic
        semantic = [] if s is None else [s.passage_cosine, s.example_cosine, s.unanswerable_cosine]
        return np.array(base + semantic)

    def _nearest_unanswerable(self, vector: npt.NDArray[np.float32], leave_out_self: bool) -> float:
        if not len(self._unanswerable):
            return 0.0
        sims = (self._unanswerable @ vector).astype(np.float64)
        if leave_out_self:
            sims = sims[sims < 0.9999]
        return float(sims.max()) if len(sims) else 0.0

    def _names(self, question: str) -> float:
        """1.0 if the question capitalises a word (not its first) that the guidelines never use:
        a local place, team or person ("Tromsø", "Helse Vest"), which they cannot know about."""
        words = re.findall(r"\w+", question)
        return float(
            any(w[0].isupper() and not w.isupper() and w.lower() not in self._lexicon.words for w in words[1:])
        )
