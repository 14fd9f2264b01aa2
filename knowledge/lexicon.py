"""Vocabulary-aware query repair: misspellings and compound words.

Why: workers type fast ("kordinator", "spesialishelsetjenesten") and Norwegian glues words
together ("boligoppfølging", "rusbehandlingen"), while BM25 only matches exact terms. The
lexicon is the guidelines' own vocabulary, so repairs can only lead to words that exist in
the passages.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable

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


class Lexicon:
    """Known words and their stems, with typo lookup and compound splitting."""

    def __init__(self, words: Iterable[str], stem: Callable[[str], str], fallback: Lexicon | None = None) -> None:
        self._stem = stem
        self._counts = Counter(w for w in words if len(w) >= MIN_PART and w.isalpha())
        self.words = frozenset(self._counts)
        self.stems = frozenset(stem(w) for w in self.words)
        self._fallback = fallback
        self._longest = max(map(len, self.words), default=0)
        self._index: dict[str, set[str]] = defaultdict(set)
        for word in self.words:
            for key in _deletes(word, allowed_distance(word)):
                self._index[key].add(word)

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
            candidates = {c for key in _deletes(word, limit) for c in self._index.get(key, ())}
            scored = sorted((edit_distance(word, c), -self._counts[c], c) for c in candidates)
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
