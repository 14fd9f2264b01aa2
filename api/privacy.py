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
ADDRESS = "[adresse]"
BIRTH_DATE = "[fødselsdato]"
NAME = "[navn]"
PLACEHOLDERS = (FNR, NUMBER, PHONE, EMAIL, ADDRESS, BIRTH_DATE, NAME)
NER_NEEDS = {"tok2vec", "transformer", "ner"}

# 11 digits, also written 6 + 5 with a space, dot or dash ("010190 12345").
_ELEVEN = re.compile(r"(?<![\d+])(\d{6})[ .-]?(\d{5})(?!\d)")
# 11 digits in any grouping ("0101 90 123 45"): masked when the check digits make it an identity number.
_ELEVEN_GROUPED = re.compile(r"(?<![\d+])\d(?:[ .-]?\d){10}(?![ .-]?\d)")
# After "fnr", "d-nummer" ...: 11 digits in any grouping, valid check digits or not (a made-up or mistyped one).
_ELEVEN_CUED = re.compile(
    r"(\b(?:f\.?\s?nr|fnr|fødsels(?:nr|nummer\w*)|fødselsnr|person(?:nr|nummer\w*)|pnr|d-?nr|d-?nummer\w*)\.?:?\s*)"
    r"\d(?:[ .-]?\d){10}(?![ .-]?\d)",
    re.IGNORECASE,
)
# A birth date after "født", "fødd", "f.": "født 03.05.82", "f. 3/5-1982", "fødd 3. mai 1982".
_MONTH = r"(?:jan|feb|mar|apr|mai|jun|jul|aug|sep|okt|nov|des)[a-zæøå]*\.?"
_BIRTH_DATE = re.compile(
    rf"(\b(?:født|fødd|fodt|fødselsdato|f\.|f\.dato)\.?:?\s*)(?:\d{{1,2}}\s?[./-]\s?\d{{1,2}}\s?[./-]\s?(?:\d{{4}}|\d{{2}})"
    rf"|\d{{1,2}}\.?\s+{_MONTH}\s+\d{{4}}|\d{{6}})(?!\d)",
    re.IGNORECASE,
)
# The local part starts where its run starts: scanning a long letter run from every position was quadratic.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+(?:@|\s?[(\[]at[)\]]\s?)[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)
# Norwegian phone numbers: 8 digits starting 2-9, grouped as written in Norway; after +47/0047
# or "tlf"/"mobil" in any grouping. Not inside a longer number, and not a date ("21.02.2024" is
# no grouping of a phone number) nor an amount ("25 000 000").
_ANY_GROUPING = r"[2-9](?:[ .-]?\d){7}(?![ .-]?\d)"
_PHONE = re.compile(
    r"(?<![\d+])(?:"
    rf"(?:\+|00)47[ .-]?{_ANY_GROUPING}|\(\+?47\)[ .-]?{_ANY_GROUPING}|"
    r"(?:[2-9]\d{7}|[2-9]\d{2}[ .-]\d{2}[ .-]\d{3}|[2-9]\d[ .-]\d{2}[ .-]\d{2}[ .-]\d{2}|[2-9]\d{3}[ .-]\d{4}|"
    r"[2-9]\d{2}[ .-]\d{3}[ .-]\d{2})(?![ .-]?\d))"
)
_PHONE_CUED = re.compile(rf"(\b(?:tlf|telefon\w*|mobil\w*|mob|ring)\.?:?\s*){_ANY_GROUPING}", re.IGNORECASE)
# Street addresses: "Storgata 14 B", "fjellveien 22", "Kongens gate 3", with a postcode and place after.
_ADDRESS = re.compile(
    r"\b(?:(?i:øvre|nedre|vestre|østre|søndre|nordre|store|lille|gamle|nye|ytre|indre)\s+)?"
    r"(?:[^\W\d_]+(?:gata|gaten|gate|gt|veien|vegen|vei|veg|vn|allé|stien|svingen)|"
    r"(?:[A-ZÆØÅ][^\W\d_]*|[^\W\d_]+s)\s+(?:gate|gata|gt|vei|veg|allé|plass))\.?\s+\d{1,4}(?:\s?[a-zA-Z]\b)?"
    r"(?!\s*(?:%|mg|ganger|gonger|gang|dager|dagar|døgn|år|timer|uker|veker)\b)"
    r"(?:,?\s+\d{4}\s+[^\W\d_]+)?"
)
# Initials with dots ("K.H.", "K. H."), not A.A. (Anonyme Alkoholikere); lower case are abbreviations ("m.m.").
_INITIALS = re.compile(r"(?<![\w.])(?!A\.\s?A\.)[A-ZÆØÅ]\.\s?[A-ZÆØÅ]\.(?:\s?[A-ZÆØÅ]\.)?(?![\w.])")


def is_national_id(digits: str) -> bool:
    """True for a fødselsnummer, D-number or H-number with valid check digits and birth date."""
    return bool(fodselsnummer.is_valid(digits))


def _mask_eleven(match: re.Match[str]) -> str:
    """A valid identity number is named as such; any other 11-digit number (an account
    number, a mistyped fødselsnummer) is masked too."""
    return FNR if is_national_id(match.group(1) + match.group(2)) else NUMBER


def _birth_date_first(digits: str) -> bool:
    """Whether 11 digits start with a day and month as an identity number does (D-numbers add 40 to
    the day, H-numbers and test numbers 40 or 80 to the month): a mistyped or made-up fødselsnummer."""
    day, month = int(digits[:2]), int(digits[2:4])
    return (1 <= day <= 31 or 41 <= day <= 71) and any(1 <= month - shift <= 12 for shift in (0, 40, 80))


def _mask_grouped_id(match: re.Match[str]) -> str:
    """An identity number however it is grouped, also with wrong check digits when it starts with a
    birth date ("01 01 70 12345"); other digits are left to the other patterns."""
    digits = re.sub(r"\D", "", match.group())
    return FNR if is_national_id(digits) else NUMBER if _birth_date_first(digits) else match.group()


NameFinder = Callable[[str], Iterable[tuple[int, int]]]
_WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")
# "han heter per", "en bruker som heiter ...", "blir kalt «bamse»", "navnet hennes er ...": the word after
# is a name, known or not.
_CALLED = re.compile(
    r"\b(?:(?:han|hun|ho|hen|brukeren|brukaren|pasienten|klienten|mannen|kvinnen|kvinna|gutten|guten|jenta|"
    r"jenten|sønnen|sonen|dattera|datteren|dottera|som)\s+(?:heter|heiter|kalles|kallast|kaller seg|kallar seg|"
    r"(?:blir|vert|er) (?:kalt|kalla))|(?:kalle)?navnet(?:\s+(?:hans|hennes|hennar|hass))?\s+er)\s+[\"«'“]?",
    re.IGNORECASE,
)
# "moren hans", "kona til": no name themselves ("Hans" is one elsewhere).
_WHOSE = frozenset(
    {"hans", "hennes", "hennar", "hass", "hannes", "dens", "til", "te", "åt", "mi", "min", "mitt", "sin"}
)
_WHOSE |= {"si", "vår", "deres", "dokkers"}
# Pronouns in any dialect are never names, wherever they stand ("han er 40", "Han" is a name elsewhere).
_PRONOUNS = frozenset({"han", "hun", "hu", "ho", "hen", "jeg", "eg", "æ", "i", "je", "vi", "me", "de", "dei", "dem"})
# Relatives and others a worker names: "moren hans, Randi", "kona til per", "sønnen hennes emil",
# "fastlege Aas".
_RELATIVE = re.compile(
    r"\b(?:mor(?:en|a)?|mamma(?:en)?|far(?:en)?|pappa(?:en)?|kon(?:a|e)|ektemannen|mannen|samboer(?:en)?|"
    r"sambuar(?:en)?|kjæreste(?:n)?|partner(?:en)?|s[øo]nn(?:en)?|sonen|datter(?:en)?|dattera|dotter(?:a)?|"
    r"bror(?:en)?|søster(?:en|a)?|syster(?:a)?|onkel(?:en)?|tant(?:e|a|en)|bestemor(?:a|en)?|bestefar(?:en)?|"
    r"mormor|morfar|farmor|farfar|barnebarnet|venn(?:en)?|venninn(?:a|en|e)|kamerat(?:en)?|nabo(?:en)?|"
    r"eks(?:en|kona|mannen)?|stefar(?:en)?|stemor(?:a|en)?|fosterfar(?:en)?|fostermor(?:a|en)?|"
    r"dr\.|lege(?:n)?|fastlege(?:n)?|psykolog(?:en)?|saksbehandler(?:en)?|sakshandsamar(?:en)?|"
    r"kontaktperson(?:en)?|primærkontakt(?:en)?|verge(?:n)?)"
    rf"(?P<whose>\s+(?:{'|'.join(sorted(_WHOSE))}))?\s*,?\s+",
    re.IGNORECASE,
)
# A worker introducing herself: "det e Tone frå psykisk helse", "her er Kari": a capitalised word after
# is a name even when it is an ordinary word too ("det er viktig" is not capitalised, "NAV-veileder" is an acronym).
_INTRODUCED = re.compile(r"\b(?:(?:det|dette|her)\s+(?:er|e|æ)|(?:jeg|eg|æ|je)\s+(?:er|e|æ))\s+", re.IGNORECASE)
# An age right after a word makes it a name: "ola (45)", "kari, 38 år".
_AGE_AFTER = re.compile(r"\s*(?:\(\s*\d{1,3}\s*(?:år)?\s*\)|,?\s+\d{1,3}\s*år\b)")
# ... and an age said of it makes it a name where a name can stand: "liv er 23", not "han er 23".
_AGE_SAID = re.compile(r"\s+(?:er|e|blir|blei|vart)\s+\d{1,3}(?!\d)")
# Words after which "per" (and any name that is also an ordinary word) is no name: "per dag".
_UNITS = frozenset(
    {"dag", "døgn", "uke", "veke", "måned", "månad", "mnd", "år", "time", "gang", "person", "pasient", "bruker"}
    | {"brukar", "telefon", "post", "brev", "sms", "stk", "kilo", "kg", "gram", "mg", "liter", "natt", "kveld"}
    | {"morgen", "helg", "side"}
)
_SENTENCE_END = re.compile(r"[.!?:;\n]")
# Typical Norwegian surname endings, for surnames the lists do not know ("nordmann", "fjellstad").
_SURNAME_ENDING = re.compile(r"(?:sen|son|stad|heim|rud|vik|dal|bakken|haug|seth|mann|berg)$")


@dataclass(frozen=True)
class NameLexicon:
    """Names the NER misses: known names in any case, and in name positions ("han heter ...",
    "sønnen hennes ...", "... (45)") also names that are ordinary words ("per") or unknown ones."""

    given: frozenset[str]
    surnames: frozenset[str]
    ordinary: frozenset[str] = frozenset()  # names that are ordinary words too: only in name positions
    frequent: frozenset[str] = frozenset()  # everyday words that are never names
    medicines: frozenset[str] = frozenset()  # never names either: "kan jeg gi Antabus ..."

    @classmethod
    def load(cls, path: Path) -> NameLexicon:
        """The lists written by scripts/build_name_lists.py."""
        lists = json.loads(path.read_text(encoding="utf-8"))
        return cls(
            *(frozenset(lists.get(key, ())) for key in ("given", "surnames", "ordinary", "frequent", "medicines"))
        )

    def _known(self, word: str, names: frozenset[str]) -> bool:
        """In the list, in the genitive ("karis"), or hyphenated from names ("anne-lise", "berg-hansen")."""
        parts = word.split("-")
        genitive = word.endswith("s") and word[:-1] in names and word not in self.frequent
        return word in names or genitive or (len(parts) > 1 and all(p in names or p in self.ordinary for p in parts))

    def _known_surname(self, word: str) -> bool:
        """Double-barrelled by its last part ("strand-olsen")."""
        return word.rsplit("-", 1)[-1] in self.surnames or self._known(word, self.surnames)

    def _surname(self, word: str) -> bool:
        """Known, or with a surname ending: only after a given name ("kari fjellstad")."""
        last = word.rsplit("-", 1)[-1]
        return self._known_surname(word) or (len(last) >= 6 and bool(_SURNAME_ENDING.search(last)))

    def everyday(self, text: str) -> bool:
        """Only everyday words or medicines and no name: "Kva", "Sammen", "Antabus", which the NER takes
        for names."""
        words = [w.lower() for w in _WORD.findall(text)]
        known = self.given | self.surnames
        return bool(words) and all(w in self.medicines or (w in self.frequent and w not in known) for w in words)

    def _name_anywhere(self, word: str) -> bool:
        """A name wherever it stands, in lower case too: known, and no ordinary word."""
        return word not in self.ordinary and (self._known(word, self.given) or self._known_surname(word))

    def _name_in_position(self, raw: str, word: str, following: str, first: bool, unknown: bool = False) -> bool:
        """A name where the sentence puts one: also ordinary words and unknown capitalised words
        (not the first word of a sentence: "Gutt (16)"), but not "per" in "per dag" or an everyday word.
        `unknown`: where nothing but a name can stand ("han heter ...", "moren hans, ...", "... (45)"),
        any word that is no everyday word."""
        if (
            following in _UNITS
            or word in self.frequent
            or word in self.medicines
            or word in _WHOSE
            or word in _PRONOUNS
        ):
            return False
        capitalised = raw[:1].isupper() and not raw.isupper() and not first
        return unknown or self._name_anywhere(word) or self._surname(word) or word in self.ordinary or capitalised

    def find(self, text: str) -> list[tuple[int, int]]:
        """Character spans of the names."""
        words = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
        lower = [raw.lower() for _, _, raw in words]
        at = {start: i for i, (start, _, _) in enumerate(words)}
        gaps = [
            text[: words[0][0]] if words else "",
            *(text[a[1] : b[0]] for a, b in zip(words, words[1:], strict=False)),
        ]
        # the next word when only spaces stand between: "per dag", but not "per, 50 år"
        after = [lower[i + 1] if gaps[i + 1].isspace() else "" for i in range(len(words) - 1)] + [""]
        # word index -> whether an unknown word is a name there (True) or only a name-like one (False)
        positions = {
            at[m.end()]: "," in m.group() and bool(m["whose"]) for m in _RELATIVE.finditer(text) if m.end() in at
        }
        positions |= {at[m.end()]: True for m in _CALLED.finditer(text) if m.end() in at}
        positions |= {
            at[m.end()]: False
            for m in _INTRODUCED.finditer(text)
            if m.end() in at and words[at[m.end()]][2][:1].isupper() and not words[at[m.end()]][2][:2].isupper()
        }
        positions |= {i: True for i, (_, end, _) in enumerate(words) if _AGE_AFTER.match(text, end)}
        positions |= {
            i: False for i, (_, end, _) in enumerate(words) if i not in positions and _AGE_SAID.match(text, end)
        }
        first = [i == 0 or bool(_SENTENCE_END.search(gap)) for i, gap in enumerate(gaps)]

        def name_at(i: int, unknown: bool = False) -> bool:
            return self._name_in_position(words[i][2], lower[i], after[i], first[i], unknown)

        spans: list[tuple[int, int]] = []
        last = -1
        for i, (start, _, _) in enumerate(words):
            if i <= last or not (self._name_anywhere(lower[i]) or (i in positions and name_at(i, positions[i]))):
                continue  # inside the name before (found once: a run of names was quadratic) or no name
            last = i  # the name and the names right after it: "kari anne hansen", "jonas bakke"; not "karis mor"
            genitive = lower[i] not in self.given and lower[i] not in self.surnames and lower[i].endswith("s")
            while (
                not genitive
                and last + 1 < len(words)
                and text[words[last][1] : words[last + 1][0]] == " "
                and (self._surname(lower[last + 1]) or name_at(last + 1))
            ):
                last += 1
            if i and lower[i - 1] in self.given and text[words[i - 1][1] : start] == " ":
                start = words[i - 1][0]  # a given name that is an ordinary word too: "bjørn haugland"
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
    """Masks identity numbers, phone numbers, e-mail and street addresses and person names.

    `find_names` returns character spans of person names (the Norwegian NER); without it
    only the patterns are masked.
    """

    find_names: NameFinder | None = None

    def mask(self, text: str) -> str:
        """The text with personal data replaced by bracketed placeholders."""
        text = _EMAIL.sub(EMAIL, text)
        text = _ELEVEN_CUED.sub(rf"\1{FNR}", text)
        text = _ELEVEN_GROUPED.sub(_mask_grouped_id, text)
        text = _ELEVEN.sub(_mask_eleven, text)
        text = _PHONE_CUED.sub(rf"\1{PHONE}", text)
        text = _PHONE.sub(PHONE, text)
        text = _ADDRESS.sub(ADDRESS, text)
        text = _BIRTH_DATE.sub(rf"\1{BIRTH_DATE}", text)
        text = _INITIALS.sub(NAME, text)
        if self.find_names is None:
            return text
        for start, end in reversed(_merged(self.find_names(text))):
            text = text[:start] + NAME + text[end:]
        return text


def spacy_name_finder(nlp: Language, names: NameLexicon | None = None) -> NameFinder:
    """Person-name spans from a spaCy pipeline with an `ner` component (labels PER/PERSON), less
    those that `names` knows as everyday words only (the NER takes a capitalised "Kva" for a name).
    Only NER and the token vectors it reads run: this is on every chat turn, and the parser,
    tagger and lemmatizer would add ~40 % for nothing."""
    skipped = [name for name in nlp.pipe_names if name not in NER_NEEDS]

    def find(text: str) -> list[tuple[int, int]]:
        doc = nlp(blank_long_runs(text), disable=skipped)  # same offsets, no quadratic tokenizing
        people = (e for e in doc.ents if e.label_ in {"PER", "PERSON"})
        return [(e.start_char, e.end_char) for e in people if names is None or not names.everyday(e.text)]

    return find
