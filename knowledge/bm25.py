"""Okapi BM25 over pre-normalised terms, as postings: a question costs the passages holding its
terms, not every passage (10,000 passages: a term is a slice of two arrays, not 10,000 lookups)."""

from __future__ import annotations

import math
from collections import Counter
from pathlib import Path

import numpy as np
import numpy.typing as npt


class BM25:
    """BM25 with the usual k1/b; also exposes idf so the engine can judge query coverage."""

    def __init__(self, documents: list[list[str]], k1: float = 1.5, b: float = 0.75) -> None:
        lengths = np.array([len(doc) for doc in documents], dtype=np.float64)
        norm = k1 * (1 - b + b * lengths / max(float(lengths.mean()) if documents else 0.0, 1e-9))
        ids: dict[str, int] = {}
        term_of: list[int] = []  # one posting per (document, distinct term), documents in order
        document_of: list[int] = []
        frequency: list[int] = []
        for d, doc in enumerate(documents):
            for term, tf in Counter(doc).items():
                term_of.append(ids.setdefault(term, len(ids)))
                document_of.append(d)
                frequency.append(tf)
        terms = np.asarray(term_of, dtype=np.int64)
        order = np.argsort(terms, kind="stable")  # by term, then document
        documents_sorted = np.asarray(document_of, dtype=np.int64)[order]
        df = np.bincount(terms, minlength=len(ids))
        n = len(documents)
        idf = np.array([math.log(1 + (n - int(f) + 0.5) / (int(f) + 0.5)) for f in df], dtype=np.float64)
        counts = np.asarray(frequency, dtype=np.float64)[order]
        # each posting's whole contribution, the same arithmetic as scoring every document per term
        weights = idf[terms[order]] * counts * (k1 + 1) / (counts + norm[documents_sorted])
        self._adopt(n, list(ids), np.concatenate(([0], np.cumsum(df))).astype(np.int64), documents_sorted, weights, idf)

    def _adopt(
        self,
        size: int,
        terms: list[str],
        starts: npt.NDArray[np.int64],
        documents: npt.NDArray[np.int64],
        weights: npt.NDArray[np.float64],
        idf: npt.NDArray[np.float64],
    ) -> None:
        """Postings of term i: `documents[starts[i]:starts[i+1]]` (ascending) and their weights."""
        self._size = size
        self._ids = {term: i for i, term in enumerate(terms)}
        self._starts, self._documents, self._weights = starts, documents, weights
        self.idf = dict(zip(terms, idf.tolist(), strict=True))
        # Weight of a query term the corpus never uses: a typical word's, so one unknown verb
        # ("lages") does not sink a good match, but a question made of unknown words still does.
        self.unknown_idf = float(np.median(idf)) if len(idf) else 1.0

    def save(self, path: Path) -> None:
        """Write the postings (read back by `load`)."""
        idf = np.array(list(self.idf.values()), dtype=np.float64)
        terms = np.array(list(self.idf), dtype=str)
        np.savez(
            path,
            size=self._size,
            terms=terms,
            starts=self._starts,
            documents=self._documents,
            weights=self._weights,
            idf=idf,
        )

    @classmethod
    def load(cls, path: Path) -> BM25:
        """The postings `save` wrote."""
        bm25 = cls.__new__(cls)
        with np.load(path) as stored:
            bm25._adopt(
                int(stored["size"]),
                stored["terms"].tolist(),
                stored["starts"],
                stored["documents"],
                stored["weights"],
                stored["idf"],
            )
        return bm25

    @property
    def size(self) -> int:
        """How many documents were indexed."""
        return self._size

    def scores(self, query: list[str]) -> npt.NDArray[np.float64]:
        """Score of every document for the query terms."""
        out = np.zeros(self._size)
        for term in set(query):
            i = self._ids.get(term)
            if i is not None:
                start, end = self._starts[i], self._starts[i + 1]
                out[self._documents[start:end]] += self._weights[start:end]
        return out

    def contains(self, index: int, term: str) -> bool:
        """Whether document `index` contains `term`."""
        i = self._ids.get(term)
        if i is None:
            return False
        holders = self._documents[self._starts[i] : self._starts[i + 1]]
        at = int(np.searchsorted(holders, index))
        return at < len(holders) and int(holders[at]) == index
