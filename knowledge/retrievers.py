"""The retrieval components: each reads the question one way and scores every passage.

Why components: the pipeline (knowledge.pipeline) runs them in a fixed order and fuses their
scores; a new signal is one new component with a typed `run()`, as in Haystack 2 pipelines.
"""

from __future__ import annotations

from dataclasses import dataclass

import faiss
import numpy as np
import numpy.typing as npt

from knowledge.bm25 import BM25
from knowledge.encoder import Encoder
from knowledge.lexicon import Lexicon
from knowledge.loaders import SemanticEncoder
from knowledge.text import Normaliser

Scores = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Query:
    """The question as typed, its search terms, and its words read as bokmål."""

    text: str
    terms: list[str]
    bokmal: str


class QueryReader:
    """Normalises a question once for every component after it."""

    def __init__(self, normaliser: Normaliser, lexicon: Lexicon) -> None:
        self._normaliser = normaliser
        self._lexicon = lexicon

    def run(self, question: str) -> Query:
        """Terms for BM25 (stems, synonyms, typo repair) and a bokmål reading for the encoder."""
        bokmal = " ".join(self._lexicon.repair(w) for w in self._normaliser.words(question))
        return Query(question, self._normaliser.terms(question, self._lexicon), bokmal)


class LexicalRetriever:
    """BM25 over the passages, scaled so the best passage scores 1."""

    def __init__(self, bm25: BM25) -> None:
        self.bm25 = bm25

    def run(self, query: Query) -> Scores:
        """Each passage's BM25 score over the best one's."""
        scores = self.bm25.scores(query.terms)
        top = float(scores.max()) if len(scores) else 0.0
        return scores / top if top > 0 else scores


@dataclass(frozen=True)
class DenseHits:
    """Per passage the better cosine of the passage and its nearest example question; the
    best passage cosine alone; the cosine with each example question; the question's vector."""

    scores: Scores
    passage_cosine: float
    example_cosines: Scores
    vector: npt.NDArray[np.float32]


class DenseRetriever:
    """The project's sentence encoder (nb-static-v1) over passages and worker questions."""

    def __init__(
        self,
        encoder: Encoder,
        vectors: faiss.Index,
        examples: npt.NDArray[np.float32],
        owners: npt.NDArray[np.int64],
    ) -> None:
        self._encoder = encoder
        # the passages' vectors as one matrix: faiss's search sorts every passage by cosine, which
        # took 11 ms a question at 10,000 passages; the fusion needs every cosine, not an order
        self._passages = vectors.reconstruct_n(0, vectors.ntotal)
        self._examples = examples
        self._owners = owners

    def run(self, query: Query) -> DenseHits:
        """The encoder has seen little nynorsk: the question is also embedded with nynorsk words
        mapped to bokmål (variants.yml), and each passage keeps its better cosine. A passage is
        as close as its closest example question (chosen on knowledge/tuning: MRR 0.934 -> 0.956
        against a 0.3-0.7 blend)."""
        both = self._encoder.encode([query.text, query.bokmal])
        scores = (both @ self._passages.T).max(axis=0).astype(np.float64)
        passage_cosine = float(scores.max())
        examples = (self._examples @ both.T).max(axis=1).astype(np.float64) if len(self._owners) else np.zeros(0)
        if len(examples):
            np.maximum.at(scores, self._owners, examples)
        return DenseHits(scores, passage_cosine, examples, both[0])


@dataclass(frozen=True)
class SemanticVectors:
    """e5 vectors built with the index: the passages that have example questions (in index
    order), the example questions (with the passage each is answered by) and questions known to
    be unanswerable."""

    passages: npt.NDArray[np.float32]
    examples: npt.NDArray[np.float32]
    owners: npt.NDArray[np.int64]
    unanswerable: npt.NDArray[np.float32]


@dataclass(frozen=True)
class SemanticHits:
    """Per passage the e5 cosine of its nearest example question (-1 without one), and the best
    cosines with any passage that has example questions, any example question and any
    unanswerable question."""

    scores: Scores
    passage_cosine: float
    example_cosine: float
    unanswerable_cosine: float


class SemanticRetriever:
    """multilingual-e5-small: it was pretrained on far more Norwegian than our encoder and reads
    dialect, long case notes and missing question marks much better (see knowledge.pipeline)."""

    def __init__(self, encoder: SemanticEncoder, vectors: SemanticVectors, passages: int) -> None:
        self._encoder = encoder
        self._vectors = vectors
        self._passages = passages

    def run(self, query: Query, leave_out_self: bool = False) -> SemanticHits:
        """`leave_out_self` ignores an identical unanswerable question (when fitting on them)."""
        vector = self._encoder.encode_one(query.text)
        v = self._vectors
        examples = (v.examples @ vector).astype(np.float64)
        scores = np.full(self._passages, -1.0)
        np.maximum.at(scores, v.owners, examples)
        unanswerable = (v.unanswerable @ vector).astype(np.float64)
        if leave_out_self:
            unanswerable = unanswerable[unanswerable < 0.9999]
        return SemanticHits(
            scores,
            float((v.passages @ vector).max()) if len(v.passages) else 0.0,
            float(examples.max()) if len(examples) else 0.0,
            float(unanswerable.max()) if len(unanswerable) else 0.0,
        )
