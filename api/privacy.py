"""Mask personal data in what workers type before anything is stored, logged or sent on.

Workers describe real people. The gateway masks every message before it reaches Rasa (whose
tracker store keeps the conversation), the case database or a log line, so those hold
"[fødselsnummer]" and "[navn]" instead of the person. Masking is deliberately greedy: a
masked word too many costs a re-read, a leaked identity number cannot be taken back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from spacy.language import Language
from stdnum.no import fodselsnummer

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
        for start, end in sorted(self.find_names(text), reverse=True):
            text = text[:start] + NAME + text[end:]
        return text


def spacy_name_finder(nlp: Language) -> NameFinder:
    """Person-name spans from a spaCy pipeline with an `ner` component (labels PER/PERSON).
    Only NER and the token vectors it reads run: this is on every chat turn, and the parser,
    tagger and lemmatizer would add ~40 % for nothing."""
    skipped = [name for name in nlp.pipe_names if name not in NER_NEEDS]

    def find(text: str) -> list[tuple[int, int]]:
        doc = nlp(text, disable=skipped)
        return [(e.start_char, e.end_char) for e in doc.ents if e.label_ in {"PER", "PERSON"}]

    return find
