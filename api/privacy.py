"""Mask personal data in what workers type before anything is stored, logged or sent on.

Workers describe real people. The gateway masks every message before it reaches Rasa (whose
tracker store keeps the conversation), the case database or a log line, so those hold
"[fødselsnummer]" and "[navn]" instead of the person. Masking is deliberately greedy: a
masked word too many costs a re-read, a leaked identity number cannot be taken back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language
from stdnum.no import fodselsnummer

from knowledge.text import blank_long_runs

FNR = "[fødselsnummer]"
NUMBER = "[nummer]"
PHONE = "[telefon]"
EMAIL = "[e-post]"
NAME = "[navn]"
NER_NEEDS = {"tok2vec", "transformer", "ner"}

# 11 digits, also written 6 + 5 with a space, dot or dash ("010190 12345").
_ELEVEN = re.compile(r"(?<![\d+])(\d{6})[ .-]?(\d{5})(?!\d)")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)
# Norwegian phone numbers: 8 digits starting 2-9, grouped as written in Norway, with an
# optional +47/0047; not inside a longer number.
_PHONE = re.compile(
    r"(?<![\d+])(?:(?:\+|00)47[ .-]?)?"
    r"(?:[2-9]\d{7}|[2-9]\d{2}[ .-]\d{2}[ .-]\d{3}|[2-9]\d[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|[2-9]\d{3}[ .-]\d{4})"
    r"(?!\d)"
)


def is_national_id(digits: str) -> bool:
    """True for a fødselsnummer, D-number or H-number with valid check digits and birth date."""
    return bool(fodselsnummer.is_valid(digits))


def _mask_eleven(match: re.Match[str]) -> str:
    """A valid identity number is named as such; any other 11-digit number (an account
    number, a mistyped fødselsnummer) is masked too."""
    return FNR if is_national_id(match.group(1) + match.group(2)) else NUMBER


NameFinder = Callable[[str], Iterable[tuple[int, int]]]
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# "han heter per", "pasienten kallar seg ...": the word after is a name, known or not.
_CALLED = re.compile(
    r"\b(?:han|hun|ho|hen|brukeren|brukaren|pasienten|klienten|mannen|kvinnen|kvinna|gutten|guten|jenta|"
    r"jenten|sønnen|sonen|dattera|datteren|dottera)\s+(?:heter|heiter|kalles|kallast|kaller seg|kallar seg)\s+",
    re.IGNORECASE,
)
# Typical Norwegian surname endings, for surnames the lists do not know ("nordmann", "fjellstad").
_SURNAME_ENDING = re.compile(r"(?:sen|son|stad|heim|rud|vik|dal|bakken|haug|seth|mann|berg)$")


@dataclass(frozen=True)
class NameLexicon:
    """Names typed in lower case, which the NER misses: a known given name (or several)
    followed by a surname, and the word after "han heter" and the like."""

    given: frozenset[str]
    surnames: frozenset[str]

    @classmethod
    def load(cls, path: Path) -> NameLexicon:
        """The lists written by scripts/build_name_lists.py."""
        lists = json.loads(path.read_text(encoding="utf-8"))
        return cls(frozenset(lists["given"]), frozenset(lists["surnames"]))

    def _surname(self, word: str) -> bool:
        return word in self.surnames or (len(word) >= 6 and bool(_SURNAME_ENDING.search(word)))

    def find(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the names."""
        words = [(m.start(), m.end(), m.group().lower()) for m in _WORD.finditer(text)]
        spans = []
        for called in _CALLED.finditer(text):
            following = [w for w in words if w[0] == called.end()]
            if following:
                start, end, _ = following[0]
                spans.append((start, end))
        for i, (start, _, word) in enumerate(words):
            if word not in self.given:
                continue
            run = [i]  # the given name and the words right after it: "kari anne hansen"
            while len(run) < 4 and run[-1] + 1 < len(words) and text[words[run[-1]][1] : words[run[-1] + 1][0]] == " ":
                run.append(run[-1] + 1)
            last = next((k for k in reversed(run[1:]) if self._surname(words[k][2])), None)
            middle_ok = last is not None and all(words[k][2] in self.given for k in run[1 : run.index(last)])
            if last is not None and middle_ok:
                spans.append((start, words[last][1]))
        return spans


def any_of(*finders: NameFinder) -> NameFinder:
    """One finder returning the spans of all of them."""
    return lambda text: [span for find in finders for span in find(text)]


def _merged(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Overlapping or touching spans as one, so a name found twice is replaced once."""
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


@dataclass(frozen=True)
class Masker:
    """Masks identity numbers, phone numbers, e-mail addresses and person names.

    `find_names` returns character spans of person names (the Norwegian NER); without it
    only the patterns are masked.
    """

    find_names: NameFinder | None = None

    def mask(self, text: str) -> str:
        """The text with personal data replaced by bracketed placeholders."""
        text = _EMAIL.sub(EMAIL, text)
        text = _ELEVEN.sub(_mask_eleven, text)
        text = _PHONE.sub(PHONE, text)
        if self.find_names is None:
            return text
        for start, end in reversed(_merged(self.find_names(text))):
            text = text[:start] + NAME + text[end:]
        return text


def spacy_name_finder(nlp: Language) -> NameFinder:
    """Person-name spans from a spaCy pipeline with an `ner` component (labels PER/PERSON).
    Only NER and the token vectors it reads run: this is on every chat turn, and the parser,
    tagger and lemmatizer would add ~40 % for nothing."""
    skipped = [name for name in nlp.pipe_names if name not in NER_NEEDS]

    def find(text: str) -> list[tuple[int, int]]:
        doc = nlp(blank_long_runs(text), disable=skipped)  # same offsets, no quadratic tokenizing
        return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in {"PER", "PERSON"}]

    return find
