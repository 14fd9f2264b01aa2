"""Recognise a typed request for a human advisor without Rasa.

Used only while Rasa is down, so that "Jeg vil snakke med en rådgiver" still opens a case: a
verb of getting in touch followed closely by someone to talk to, or the bare word. Rasa's NLU
decides whenever it is up; a miss here costs a polite "try again", a false hit a case that an
advisor closes.
"""

from __future__ import annotations

import re

# bokmål and nynorsk: snakke/snakka, prate/prata, få/få tak i, kontakt, ring ...
_CONTACT = r"(?:snakk\w*|prat\w*|chatt\w*|skriv\w*|tal[ae]?|kontakt\w*|ring\w*|få)"
_SOMEONE = (
    r"(?:rådgiv\w*|rådgjev\w*|veileder\w*|rettleiar\w*|menneske\w*|person|ekte\s+\w+|saksbehandl\w*|fagperson\w*"
    r"|noen|nokon)"
)
_REQUEST = re.compile(
    rf"\b{_CONTACT}\b(?:\W+\w+){{0,4}}?\W+{_SOMEONE}(?!\w)|^\W*{_SOMEONE}\W*(?:takk|nå|no|please)?\W*$",
    re.IGNORECASE,
)
# Someone else's wish ("pasienten vil snakke med ...") or a question about advisors in general.
_NOT_ME = re.compile(r"\b(?:hvem|kven|hva\s+gjør|kva\s+gjer)\b", re.IGNORECASE)


def wants_advisor(text: str) -> bool:
    """Whether the worker asks to talk to a person."""
    return bool(_REQUEST.search(text)) and not _NOT_ME.search(text)
