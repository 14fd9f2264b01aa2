"""Which written standard a worker writes, bokmål ("nb") or nynorsk ("nn").

Why: public bodies answer in the writer's written standard. The gateway reads each message with
`written_standard`, keeps the conversation's language (`follow`: once nynorsk, nynorsk until clearly
bokmål) and sends it to Rasa in the message metadata under `LANGUAGE_METADATA`, where the
`LanguageExtractor` (bot/components/language.py) makes it the `language` slot that picks the
responses' nynorsk variations. Only marker words that one standard has and the other lacks count:
dialect spellings common in speech-like bokmål ("ka", "e", "æ", "itj"), English and short replies
decide nothing (None), so the conversation keeps its language. Runs in Rasa's Python 3.10 too.
"""

from __future__ import annotations

import re
from typing import Literal, get_args

Language = Literal["nb", "nn"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LANGUAGE_METADATA = "language"
# The entity (and slot) that carries it inside Rasa (bot.components.language; payloads: api.upstream).
LANGUAGE_ENTITY = "language"

# Everyday words only nynorsk writes so (as a whole word), and their bokmål counterparts.
_NYNORSK_WORDS = """
    ikkje eg kva korleis kven kvifor kvar frå berre mykje noko nokon nokre nokså vere vore kome kjem heile heilt
    meir eit ein dykk dykkar sjølv òg gjer gjere seier veit treng fekk høyrer ynskjer ønskjer bustad tenester
    teneste fleire tidlegare kommunar hjå difor då elles
"""
_BOKMAL_WORDS = """
    ikke jeg hva hvordan hvem hvorfor hvor fra bare mye noe noen være vært komme kommer hele helt mer et en hun
    dere deres selv gjør gjøre sier vet trenger fikk hører ønsker bolig tjenester tjeneste flere tidligere
    kommuner derfor ellers
"""
_NYNORSK = frozenset(_NYNORSK_WORDS.split())
_BOKMAL = frozenset(_BOKMAL_WORDS.split())
# Nynorsk for "they" and "she", but speech-like bokmål writes them too: they only tip a close call.
_WEAK_NYNORSK = frozenset({"dei", "ho"})
_WORD = re.compile(r"[a-zæøåòé]+", re.IGNORECASE)


def written_standard(text: str) -> Language | None:
    """ "nn" or "nb" when the words say so, None when they do not (short, neutral, dialect, English)."""
    words = [w.lower() for w in _WORD.findall(text)]
    nynorsk = sum(w in _NYNORSK for w in words) + 0.5 * sum(w in _WEAK_NYNORSK for w in words)
    bokmal = sum(w in _BOKMAL for w in words)
    if nynorsk >= 1 and nynorsk > bokmal:
        return "nn"
    if bokmal >= 1 and bokmal > nynorsk:
        return "nb"
    return None


def follow(current: Language, text: str) -> Language:
    """The conversation's language after `text`: what the words say, else what it was."""
    return written_standard(text) or current


def deployment_language(value: object) -> Language:
    """The `LANGUAGE` setting: "nb" or "nn". The same variable is gettext's list of preferred locales
    on many desktops and servers ("nn_NO:nb", "en_US:en"): such a list gives its first entry's standard
    when that is nb or nn, and anything else (English, empty) bokmål: a locale must not stop a service."""
    first = str(value or "").split(":")[0].split("_")[0].split(".")[0].strip().lower()
    return as_language(first) or "nb"


def as_language(value: object) -> Language | None:
    """`value` if it names a language, else None (metadata and settings come from outside)."""
    return next((language for language in LANGUAGES if language == value), None)
