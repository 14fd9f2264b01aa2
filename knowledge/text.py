"""Norwegian text normalisation for BM25: spaCy `nb` tokens, stop words, nynorsk variants,
Snowball stems, synonyms, and (with a lexicon) typo repair and compound splitting."""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import snowballstemmer
import spacy
import yaml
from spacy.lang.nb.stop_words import STOP_WORDS

if TYPE_CHECKING:
    from knowledge.lexicon import Lexicon

# spaCy's list comes from news text; these words carry meaning in the guidelines.
_CONTENT_WORDS = frozenset(
    {
        "samtidig",
        "personer",
        "mennesker",
        "kontakt",
        "leder",
        "sammen",
        "plass",
        "mål",
        "folk",
        "bedre",
        "kort",
        "viktig",
        "tid",
        "land",
        "grunn",
        "del",
        "kamp",
        "poeng",
        "kroner",
    }
)
# Nynorsk and question words a worker types that say nothing about the topic.
_EXTRA_STOP_WORDS = frozenset(
    {
        "kven",
        "kva",
        "korleis",
        "kvifor",
        "kor",
        "eg",
        "ikkje",
        "ein",
        "eit",
        "dei",
        "frå",
        "hjå",
        "hvem",
        "hva",
        "hvordan",
        "hvorfor",
        "hvor",
        "hvilke",
        "hvilken",
        "sitt",
        "sin",
        "deg",
        "dere",
        "har",
        "skal",
        "bør",
        "gjer",
        "gjør",
    }
)
# English small words workers mix in ("what does that even mean i praksis"): not words the guidelines
# never use, just words. A short list, not spaCy's English one, which holds "full", "fire" and "side".
_ENGLISH_STOP_WORDS = frozenset(
    {
        "what",
        "does",
        "do",
        "did",
        "that",
        "this",
        "these",
        "those",
        "even",
        "mean",
        "means",
        "meant",
        "the",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "how",
        "who",
        "why",
        "when",
        "where",
        "which",
        "should",
        "would",
        "could",
        "can",
        "we",
        "you",
        "they",
        "of",
        "to",
        "and",
        "or",
        "with",
        "about",
        "really",
        "actually",
        "anyway",
        "like",
        "just",
        "so",
        "there",
        "our",
        "my",
        "your",
        "any",
        "anyone",
        "someone",
        "here",
    }
)
STOP = (frozenset(STOP_WORDS) - _CONTENT_WORDS) | _EXTRA_STOP_WORDS | _ENGLISH_STOP_WORDS
# The longest run of non-space characters read as a word; the guidelines' longest word has 26 letters.
MAX_WORD = 64
STEM_CACHE = 1 << 17  # words: the guidelines hold 4,000; a library of 10,000 paragraphs 60,000
_LONG_RUN = re.compile(rf"(?<=\S{{{MAX_WORD}}})\S+")


def blank_long_runs(text: str) -> str:
    """`text` with each run of non-space characters cut to `MAX_WORD`, the rest turned into
    spaces so character offsets still hold.

    Why: a held-down key or a pasted blob is no word, but spaCy's tokenizer takes time quadratic
    in a run of punctuation, and typo repair and compound splitting grow faster still with a
    word's length."""
    return _LONG_RUN.sub(lambda m: " " * len(m.group()), text)


def load_synonyms(path: Path) -> dict[str, tuple[str, ...]]:
    """Read `token: expansion words` pairs; keys are lower-cased."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(key).lower(): tuple(str(value).lower().split()) for key, value in raw.items()}


def load_variants(path: Path) -> dict[str, str]:
    """Read `variants.yml` (nynorsk/colloquial word -> bokmål word); keys are lower-cased."""
    if not path.exists():
        return {}
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    variants = raw.get("variants") or {}
    bad = [key for key, value in variants.items() if not str(value).strip() or " " in str(value).strip()]
    if bad:
        raise ValueError(f"{path}: each variant needs one bokmål word: {bad}")
    return {str(key).lower(): str(value).lower().strip() for key, value in variants.items()}


class Normaliser:
    """Turns text into BM25 terms; the same instance serves indexing and queries."""

    def __init__(self, synonyms: Mapping[str, tuple[str, ...]], variants: Mapping[str, str] | None = None) -> None:
        self._tokenizer = spacy.blank("nb").tokenizer
        self._stemmer = snowballstemmer.stemmer("norwegian")
        # Both keep state between calls (the stemmer its cursor, the tokenizer its cache and
        # vocabulary), and one engine serves many request threads.
        self._lock = threading.Lock()
        self._synonyms = dict(synonyms)
        self._variants = dict(variants or {})
        # A word is stemmed at each occurrence and again by the lexicon: 10,000 passages of other
        # text asked for 1.8 million stems of 60,000 words, most of the engine's load time.
        self.stem = lru_cache(maxsize=STEM_CACHE)(self._stem)

    def words(self, text: str) -> list[str]:
        """Lower-cased word tokens, hyphenated compounds split into their parts (of a run of
        non-space characters, only the first `MAX_WORD` count)."""
        with self._lock:
            tokens = [t.lower_ for t in self._tokenizer(blank_long_runs(text)) if not (t.is_punct or t.is_space)]
        out: list[str] = []
        for token in tokens:
            for part in token.split("-"):
                part = part.strip(".,:;!?«»\"'()/")
                if part:
                    out.append(self._variants.get(part, part))
        return out

    def _stem(self, word: str) -> str:
        """Stem twice: Snowball leaves 'ansvaret'→'ansvar' but 'ansvar'→'ansv'; twice they meet."""
        with self._lock:
            return str(self._stemmer.stemWord(self._stemmer.stemWord(word)))

    def terms(self, text: str, lexicon: Lexicon | None = None, split_known: bool = False) -> list[str]:
        """Content terms of `text` with synonym expansions, in order.

        With a lexicon, a word whose stem the lexicon lacks is replaced by its closest known
        spelling, or else its compound parts are added; `split_known` also adds the parts of
        known compounds (for passages, so "bolig" finds "boligsosialt")."""
        return self.terms_of(self.words(text), lexicon, split_known)

    def terms_of(self, words: list[str], lexicon: Lexicon | None = None, split_known: bool = False) -> list[str]:
        """`terms` of a text already split into `words`."""
        out: list[str] = []
        for word in words:
            expansions = self._synonyms.get(word, ())
            if word in STOP and not expansions:
                continue
            stem = self.stem(word)
            if lexicon is not None and stem not in lexicon.stems and not expansions:
                corrected = lexicon.correct(word)
                if corrected is not None:
                    word, stem = corrected, self.stem(corrected)
            out.append(stem)
            if lexicon is not None and (split_known or stem not in lexicon.stems):
                parts = lexicon.split(word)
                if parts is not None:
                    out.extend(self.stem(part) for part in parts if part not in STOP)
            out.extend(self.stem(w) for w in expansions if w not in STOP)
        return out
