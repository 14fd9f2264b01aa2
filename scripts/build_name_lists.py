"""Write knowledge/models/names/names.json: Norwegian given names and surnames for masking.

Why: the NER finds "Per Hansen" but not "per hansen", and workers type fast in lower case.
The gateway masks known names typed in lower case. The lists come from the person names
annotated in NDT/NorNE (nob and nno) and from common given names (scripts/common_given_names.txt):
every word before the last of a name is a given name, a name of one word is a given name too
("Kari"), the last word of a longer one a surname. Each is also kept as typed without æøå
("bjorn", "aase"). A surname that is also an ordinary lower-case word of the treebank ("dag",
"time") is left out, so "per dag" stays, and so is a given name mostly used as an ordinary word
("den", "helga"). Names that are ordinary words too ("per", "liv", "bakke"), counted over the
treebank and the NoReC reviews, are listed as `ordinary`: those are masked only where the
sentence makes them a name ("kona til per"). The `frequent` everyday words that are no names at
all tell an unknown name from an ordinary word. The `medicines` (scripts/medicine_names.txt) are
never names, however they are written ("kan jeg gi Antabus ...").
Only the name lists are written, no corpus text.

Usage: python scripts/build_name_lists.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from corpus import file_records, find_inputs, iter_norec

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge" / "models" / "names" / "names.json"
COMMON_GIVEN = Path(__file__).with_name("common_given_names.txt")
MEDICINES = Path(__file__).with_name("medicine_names.txt")
NAME = re.compile(r"^[A-ZÆØÅ][a-zæøåéèü]+(?:-[A-ZÆØÅ][a-zæøåéèü]+)?$")
LOWER_WORD = re.compile(r"(?<![\w-])[a-zæøå]+(?:-[a-zæøå]+)*(?![\w-])")
COMMON_WORD_MIN = 2  # lower-case uses in the treebank that make a word too common to be a surname
# A given name also used as an ordinary word this many times more often is dropped ("den", "dag",
# "helga"); "per" and "liv" stay.
COMMON_GIVEN_RATIO = 20
# Lower-case uses over the treebank and the reviews that make a name an ordinary word as well.
ORDINARY_MIN = 3
# Lower-case uses that make a word an everyday word: no name even where a name could stand
# ("moren hans, som ..."), and no name when the NER takes a capitalised "Kva" for one.
FREQUENT_MIN = 20
MIN_LENGTH = 3  # "al", "bo": too short to tell from a typo or an abbreviation
_ASCII = [("æ", "ae"), ("ø", "o"), ("å", "aa"), ("æ", "a"), ("ø", "oe"), ("å", "a")]


def _person_spans(path: Path) -> tuple[list[list[str]], Counter[str]]:
    """Person-name token spans of one CoNLL file, and its ordinary lower-case words."""
    spans: list[list[str]] = []
    words: Counter[str] = Counter()
    current: list[str] = []
    for line in [*path.read_text(encoding="utf-8").splitlines(), ""]:
        columns = line.split("\t")
        tag = columns[-1] if len(columns) > 9 else ""
        if "name=I-PER" in tag and current:
            current.append(columns[1])
            continue
        if current:
            spans.append(current)
            current = []
        if "name=B-PER" in tag:
            current = [columns[1]]
        elif len(columns) > 1 and columns[1].islower():
            words[columns[1]] += 1
    return spans, words


def without_special_letters(name: str) -> set[str]:
    """The ways a name is typed on a keyboard without æøå: "bjørn" -> "bjorn", "åse" -> "aase", "ase"."""
    spellings = {name}
    for letter, plain in _ASCII:
        spellings |= {s.replace(letter, plain) for s in spellings if letter in s}
    return {s for s in spellings if s.isascii()} if not name.isascii() else set()


def _with_plain_spellings(names: Iterable[str], taken: Counter[str]) -> set[str]:
    """The names and their spellings without æøå that are not ordinary words."""
    names = set(names)
    return names | {s for name in names for s in without_special_letters(name) if taken[s] < ORDINARY_MIN}


def _listed(path: Path) -> set[str]:
    """The words of a hand-written list, "#" lines left out."""
    return {
        w for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#") for w in line.split()
    }


def name_lists(shared: Path) -> dict[str, list[str] | list[dict[str, str | int]]]:
    """Given names, surnames and names that are ordinary words too, and the inputs they came from."""
    inputs = find_inputs(shared)
    given: Counter[str] = Counter()
    surnames: set[str] = set()
    common: Counter[str] = Counter()
    for path in inputs.ndt:
        spans, words = _person_spans(path)
        common.update(words)
        for span in spans:
            if all(NAME.match(token) for token in span):
                given.update(token.lower() for token in (span[:-1] if len(span) >= 2 else span))
                if len(span) >= 2:
                    surnames.add(span[-1].lower())
    lower_case = Counter(common)
    for sentence in iter_norec(inputs):
        lower_case.update(LOWER_WORD.findall(sentence))
    everyday = _listed(COMMON_GIVEN)
    medicines = _listed(MEDICINES)
    names = set(given) | surnames | everyday
    kept_given = {n for n, uses in given.items() if common[n] <= COMMON_GIVEN_RATIO * uses and len(n) >= MIN_LENGTH}
    kept_given |= everyday
    kept_surnames = {n for n in surnames if common[n] < COMMON_WORD_MIN and len(n) >= MIN_LENGTH}
    return {
        "given": sorted(_with_plain_spellings(kept_given - medicines, lower_case)),
        "surnames": sorted(_with_plain_spellings(kept_surnames - medicines, lower_case)),
        "ordinary": sorted(n for n in names if lower_case[n] >= ORDINARY_MIN),
        "frequent": sorted(w for w, uses in lower_case.items() if uses >= FREQUENT_MIN and w not in names),
        "medicines": sorted(medicines),
        "inputs": file_records(ROOT, [COMMON_GIVEN, MEDICINES])
        + file_records(inputs.shared, [*inputs.ndt, *inputs.norec]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True)
    args = parser.parse_args()
    lists = name_lists(args.shared)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(lists, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    counts = ", ".join(f"{len(lists[key])} {key}" for key in ("given", "surnames", "ordinary", "frequent"))
    print(f"{OUT.relative_to(ROOT)}: {counts}")


if __name__ == "__main__":
    main()
