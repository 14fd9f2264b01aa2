"""Native-quality check of every nynorsk text the assistant writes in its own words: each word is a
form or lemma of the NDT nynorsk treebank (knowledge/wordlists/nynorsk.txt.gz, scripts/build_nynorsk_lexicon.py),
a compound of such words, or on the reviewed allow-list (knowledge/wordlists/nynorsk_allowed.txt).
Guideline quotes and titles («…»), source lines ("Kjelde: …"), {fields} and addresses are not the
assistant's words and are left out."""

from __future__ import annotations

import gzip
import json
import re
from functools import cache

import pytest
import yaml

from contract.nynorsk import catalog
from knowledge.settings import PROJECT_ROOT

LEXICON = PROJECT_ROOT / "knowledge" / "wordlists"
RESPONSE_FILES = (PROJECT_ROOT / "bot" / "domain.yml", PROJECT_ROOT / "data" / "nlu" / "faq.yml")
WIDGET_TEXTS = PROJECT_ROOT / "widget" / "src" / "texts.json"
_NOT_WORDS = re.compile(r"«[^»]*»|\{\w+\}|^Kjelde:.*$|(?<!\S)/\S*", re.MULTILINE)
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
MIN_PART = 4  # the shortest part of a compound: shorter ones let bokmål through ("hel" + "setje" + "nesten")


@cache
def _lexicon() -> frozenset[str]:
    with gzip.open(LEXICON / "nynorsk.txt.gz", "rt", encoding="utf-8") as words:
        listed = set(words.read().split())
    allowed = (LEXICON / "nynorsk_allowed.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(listed | {line.split("#")[0].strip().lower() for line in allowed} - {""})


@cache
def _known(word: str) -> bool:
    """A listed word, or a compound of listed words (with a linking s: "samhandlingsteam")."""
    if word in _lexicon():
        return True
    for split in range(MIN_PART, len(word) - MIN_PART + 1):
        head, tail = word[:split], word[split:]
        if (head in _lexicon() or (head.endswith("s") and head[:-1] in _lexicon())) and _known(tail):
            return True
    return False


def unknown_words(text: str) -> list[str]:
    """The words of `text` that are not known nynorsk (acronyms and each part of a hyphenated word apart)."""
    words = [part for word in _WORD.findall(_NOT_WORDS.sub(" ", text)) for part in word.split("-")]
    return [w for w in words if not (w.isupper() and len(w) > 1) and not _known(w.lower())]


def nynorsk_responses() -> dict[str, list[str]]:
    """Every nynorsk variation of Rasa's responses, with its button titles, by response name."""
    texts: dict[str, list[str]] = {}
    for path in RESPONSE_FILES:
        responses = yaml.safe_load(path.read_text(encoding="utf-8"))["responses"]
        for name, variations in responses.items():
            for variation in variations:
                if any(c.get("name") == "language" and c.get("value") == "nn" for c in variation.get("condition", [])):
                    buttons = [b["title"] for b in variation.get("buttons", [])]
                    texts.setdefault(name, []).extend([variation["text"], *buttons])
    return texts


def widget_texts() -> dict[str, dict[str, str]]:
    """The chat widget's own words by language (widget/src/texts.json)."""
    texts: dict[str, dict[str, str]] = json.loads(WIDGET_TEXTS.read_text(encoding="utf-8"))
    return texts


def all_nynorsk_texts() -> list[str]:
    responses = [t for texts in nynorsk_responses().values() for t in texts]
    return [*catalog().values(), *responses, *widget_texts()["nn"].values()]


def test_every_word_of_every_nynorsk_text_is_nynorsk() -> None:
    problems = {text[:60]: unknown_words(text) for text in all_nynorsk_texts() if unknown_words(text)}
    assert not problems, f"not in the nynorsk word list or knowledge/wordlists/nynorsk_allowed.txt: {problems}"


@pytest.mark.parametrize(
    ("text", "caught"),
    [
        ("Jeg vet ikke hva som skal gjøres.", ["Jeg", "vet", "ikke", "hva", "gjøres"]),
        ("Spesialisthelsetjenesten har ansvaret for tjenestene.", ["Spesialisthelsetjenesten", "tjenestene"]),
        ("Eg veit ikkje kva som skal gjerast, men rådgjevaren kan hjelpe.", []),
        ("Kjelde: ROP-retningslinjen, Anbefalinger om samhandling\n«Kommunen skal sørge for tjenester»", []),
        ("Eg svarar ikkje med rusmiddelproblem/lidingar eller feilstaving som «ikke».", ["feilstaving"]),
    ],
)
def test_the_check_catches_bokmal_and_misspellings(text: str, caught: list[str]) -> None:
    assert unknown_words(text) == caught
