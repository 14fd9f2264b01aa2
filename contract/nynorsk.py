"""The nynorsk form of every text the assistant writes in its own words outside Rasa's responses.

Why a catalog keyed by the bokmål text (as gettext does): the bokmål stays where it is written and
read (the content files, the code), and the nynorsk lives in two YAML files, `contract/nynorsk.yml`
for the gateway's and the actions' own texts and `knowledge/nynorsk.yml` for the content owners'
(the responsibility map's short answers, referral texts, the emergency reply). A changed bokmål
text no longer finds its nynorsk, and the tests say so (tests/contract/test_nynorsk.py).
Rasa's responses have theirs as conditional variations in bot/domain.yml. Quotes of the
guidelines are never translated: they keep the source's words.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from contract.language import Language

ROOT = Path(__file__).resolve().parents[1]
CATALOGS = (ROOT / "contract" / "nynorsk.yml", ROOT / "knowledge" / "nynorsk.yml")


@cache
def catalog() -> dict[str, str]:
    """Bokmål text -> nynorsk text, from every catalog file (read once per process)."""
    entries: dict[str, str] = {}
    for path in CATALOGS:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entries |= {str(bokmal): str(nynorsk) for bokmal, nynorsk in raw.items()}
    return entries


def localized(text: str, language: Language) -> str:
    """`text` (bokmål, a format template too) in `language`; bokmål when the catalog lacks it."""
    return catalog().get(text, text) if language == "nn" else text
