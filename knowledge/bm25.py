"""Okapi BM25 over pre-normalised terms; small enough to score every passage per query."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import numpy.typing as npt


class BM25:
    """BM25 with the usual k1/b; also exposes idf so the engine can judge query coverage."""

    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        self._k1, self._b = k1, b
        self._counts = [Counter(doc) for doc in documents]
        self._lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        self._avg_length = float(self._lengths.mean()) if documents else 0.0
        frequency = Counter(term for counts in self._counts for term in counts)
        n = len(documents)
        self.idf = {term: math.log(1 + (n - df + 0.5) / (df + 0.5)) for term, df in frequency.items()}
        # Weight of a query term the corpus never uses: a typical word's, so one unknown verb
        # ("lages") does not sink a good match, but a question made of unknown words still does.
        self.unknown_idf = float(np.median(list(self.idf.values()))) if self.idf else 1.0

    def scores(self, query: list[str]) -> npt.NDArray[np.float64]:
        """Score of every document for the query terms."""
        out = np.zeros(len(self._counts))
        norm = self._k1 * (1 - self._b + self._b * self._lengths / max(self._avg_length, 1e-9))
        for term in set(query):
            idf = self.idf.get(term)
            if idf is None:
                continue
            tf = np.array([counts.get(term, 0) for counts in self._counts], dtype=np.float64)
            out += idf * tf * (self._k1 + 1) / (tf + norm)
        return out

    def contains(self, index: int, term: str) -> bool:
        """Whether document `index` contains `term`."""
        return term in self._counts[index]
