"""Vocabulary-aware query repair: misspellings and compound words.

Why: workers type fast ("kordinator", "spesialishelsetjenesten") and Norwegian glues words
together ("boligoppfølging", "rusbehandlingen"), while BM25 only matches exact terms. The
lexicon is the guidelines' own vocabulary, so repairs can only lead to words that exist in
the passages.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

import numpy as np
import numpy.typing as npt

MIN_PART = 3  # shortest known word and compound head ("rus"); "ip" is handled by synonyms
MIN_TAIL = 4  # shortest compound tail, so endings like "-ing" are not taken for words
LINKING = ("s", "e")
# How æ, ø, å are typed on a keyboard without them ("foelger", "baerum", "paa").
ASCII_LETTERS = (("ae", "æ"), ("oe", "ø"), ("aa", "å"))  # fuge-s and fuge-e: "arbeidsliv" = arbeid + s + liv


def _deletes(word: str, depth: int) -> set[str]:
    """All strings made by deleting up to `depth` characters (SymSpell's index keys)."""
    found = {word}
    frontier = {word}
    for _ in range(depth):
        frontier = {w[:i] + w[i + 1 :] for w in frontier for i in range(len(w))}
        found |= frontier
    return found


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance (Levenshtein plus adjacent transpositions)."""
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, start=1):
            cost = 0 if ca == cb else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    """Short words tolerate one typo, longer ones two; very short ones none."""
    return 0 if len(word) < 4 else 1 if len(word) < 8 else 2


def _key(text: str) -> int:
    """A stable 64-bit key of a delete (Python's own hash differs between processes)."""
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")


class Lexicon:
    """Known words and their stems, with typo lookup and compound splitting.

    The typo lookup is SymSpell's: every known word is indexed under its deletes. The index is
    two sorted arrays (a 64-bit key per delete, and the word's number), so it is saved with the
    search index and loaded as it is: 10,000 paragraphs of other text hold 57,000 words with
    2.4 million deletes, which as sets of strings built at each start took 9 s of CPU and most
    of a 1.1 GB peak."""

    def __init__(self, words: Iterable[str], stem: Callable[[str], str], fallback: Lexicon | None = None) -> None:
        counts = Counter(w for w in words if len(w) >= MIN_PART and w.isalpha())
        sizes: list[int] = []

        def keys_of_every_word() -> Iterator[int]:
            for word in counts:  # one word's deletes at a time: millions of strings would be 1 GB
                found = _deletes(word, allowed_distance(word))
                sizes.append(len(found))
                yield from map(_key, found)

        keys = np.fromiter(keys_of_every_word(), dtype=np.uint64)
        owners = np.repeat(np.arange(len(counts), dtype=np.int64), sizes)
        order = np.argsort(keys, kind="stable")
        self._adopt(counts, [stem(w) for w in counts], keys[order], owners[order], stem, fallback)

    def _adopt(
        self,
        counts: dict[str, int],
        stems: list[str],
        keys: npt.NDArray[np.uint64],
        owners: npt.NDArray[np.int64],
        stem: Callable[[str], str],
        fallback: Lexicon | None,
    ) -> None:
        self._stem = stem
        self._counts = counts
        self._list = list(counts)
        self.words = frozenset(counts)
        self.stems = frozenset(stems)
        self._stems_list = stems
        self._fallback = fallback
        self._longest = max(map(len, self.words), default=0)
        self._keys = keys
        self._owners = owners

    def save(self, path: Path) -> None:
        """Write words, counts, stems and the delete index (read back by `load`)."""
        np.savez(
            path,
            words=np.array(self._list, dtype=str),
            counts=np.array(list(self._counts.values()), dtype=np.int64),
            stems=np.array(self._stems_list, dtype=str),
            keys=self._keys,
            owners=self._owners,
        )

    @classmethod
    def load(cls, path: Path, stem: Callable[[str], str], fallback: Lexicon | None = None) -> Lexicon:
        """The lexicon `save` wrote, with the same stemmer it was built with."""
        lexicon = cls.__new__(cls)
        with np.load(path) as stored:
            counts = dict(zip(stored["words"].tolist(), stored["counts"].tolist(), strict=True))
            lexicon._adopt(counts, stored["stems"].tolist(), stored["keys"], stored["owners"], stem, fallback)
        return lexicon

    def _candidates(self, word: str, limit: int) -> set[str]:
        """Known words sharing a delete with `word` (SymSpell's candidates)."""
        keys = np.array([_key(d) for d in _deletes(word, limit)], dtype=np.uint64)
        starts = np.searchsorted(self._keys, keys, side="left")
        ends = np.searchsorted(self._keys, keys, side="right")
        return {
            self._list[int(self._owners[i])] for start, end in zip(starts, ends, strict=True) for i in range(start, end)
        }

    def correct(self, word: str) -> str | None:
        """The known word typed without æ/ø/å, else the closest known word within the allowed
        distance (ties: the more frequent, then a-z)."""
        if word in self.words:
            return None
        for ascii_form, letter in ASCII_LETTERS:
            if ascii_form in word and word.replace(ascii_form, letter) in self.words:
                return word.replace(ascii_form, letter)
        limit = allowed_distance(word)
        if limit == 0:
            return None
        # The deletes grow with the cube of the length; a word more than `limit` letters longer
        # than every known word is more than `limit` edits from all of them.
        if len(word) - limit <= self._longest:
            scored = sorted((edit_distance(word, c), -self._counts[c], c) for c in self._candidates(word, limit))
            if scored and scored[0][0] <= limit:
                return scored[0][2]
        return self._fallback.correct(word) if self._fallback is not None else None

    def repair(self, word: str) -> str:
        """`word` if known, else its closest known spelling, else itself."""
        return self.correct(word) or word

    def split(self, word: str) -> tuple[str, str] | None:
        """Split an unknown compound into two parts whose stems are known, longest head first."""
        for i in range(len(word) - MIN_TAIL, MIN_PART - 1, -1):
            head, tail = word[:i], word[i:]
            tail_known = tail in self.words or self._stem(tail) in self.stems
            if not tail_known:
                continue
            if head in self.words or self._stem(head) in self.stems:
                return head, tail
            if head.endswith(LINKING) and len(head) > MIN_PART and head[:-1] in self.words:
                return head[:-1], tail
        return None
