"""The passages read word by word: the lexicon that typo repair and compound splitting lean on,
and the BM25 postings. Built with the index and stored in it.

Why stored: a service used to tokenise, stem and index every passage at start. For the
guidelines that was quick; for a library of 10,000 paragraphs it was most of a 20 s start.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from knowledge.bm25 import BM25
from knowledge.documents import Passage
from knowledge.lexicon import Lexicon
from knowledge.settings import KnowledgeSettings
from knowledge.text import Normaliser, load_synonyms, load_variants

LEXICON = "lexicon.npz"
POSTINGS = "bm25.npz"


@dataclass(frozen=True)
class LexicalIndex:
    """The normaliser, the passages' words (workers' words as the fallback for typo repair) and
    the passages' BM25 postings."""

    normaliser: Normaliser
    lexicon: Lexicon
    bm25: BM25

    def save(self, folder: Path) -> None:
        """Write the lexicon and the postings into the index folder."""
        self.lexicon.save(folder / LEXICON)
        self.bm25.save(folder / POSTINGS)


def _normaliser(settings: KnowledgeSettings) -> Normaliser:
    return Normaliser(load_synonyms(settings.synonyms_file), load_variants(settings.variants_file))


def _workers(normaliser: Normaliser, vocabulary: tuple[str, ...]) -> Lexicon:
    """Words workers write (knowledge.index.worker_vocabulary): small, so built at every load."""
    return Lexicon(normaliser.words(" ".join(vocabulary)), normaliser.stem)


def analyse(settings: KnowledgeSettings, passages: list[Passage], vocabulary: tuple[str, ...]) -> LexicalIndex:
    """Read every passage once: its words make the lexicon, its terms (compounds split) BM25's."""
    normaliser = _normaliser(settings)
    words = [normaliser.words(p.search_text()) for p in passages]
    lexicon = Lexicon([w for found in words for w in found], normaliser.stem, _workers(normaliser, vocabulary))
    return LexicalIndex(
        normaliser, lexicon, BM25([normaliser.terms_of(found, lexicon, split_known=True) for found in words])
    )


def load_lexical(settings: KnowledgeSettings, vocabulary: tuple[str, ...]) -> LexicalIndex:
    """What `analyse` computed, as `LexicalIndex.save` stored it in `settings.index_dir`."""
    normaliser = _normaliser(settings)
    lexicon = Lexicon.load(settings.index_dir / LEXICON, normaliser.stem, _workers(normaliser, vocabulary))
    return LexicalIndex(normaliser, lexicon, BM25.load(settings.index_dir / POSTINGS))
