"""Write knowledge/models/names/names.json: Norwegian given names and surnames for masking.

Why: the NER finds "Per Hansen" but not "per hansen", and workers type fast in lower case.
The gateway masks a lower-case "given surname" pair when both words are known names. The lists
come from the person names annotated in NDT/NorNE (nob and nno). A surname that is also an
ordinary lower-case word of the treebank ("dag", "time") is left out, so "per dag" stays, and
so is a given name mostly used as an ordinary word ("den", "helga").
Only the name lists are written, no corpus text.

Usage: python scripts/build_name_lists.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
import re
from collections import Counter
from pathlib import Path

from corpus import file_records, find_inputs

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge" / "models" / "names" / "names.json"
NAME = re.compile(r"^[A-ZÆØÅ][a-zæøåéèü]+(?:-[A-ZÆØÅ][a-zæøåéèü]+)?$")
COMMON_WORD_MIN = 2  # lower-case uses in the treebank that make a word too common to be a surname
# A given name also used as an ordinary word this many times more often is dropped ("den", "dag",
# "helga"); "per" and "liv" stay.
COMMON_GIVEN_RATIO = 20


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


def name_lists(shared: Path) -> dict[str, object]:
    """Given names and surnames from NorNE, and the inputs they came from."""
    inputs = find_inputs(shared)
    given: Counter[str] = Counter()
    surnames: set[str] = set()
    common: Counter[str] = Counter()
    for path in inputs.ndt:
        spans, words = _person_spans(path)
        common.update(words)
        for span in spans:
            if len(span) >= 2 and all(NAME.match(token) for token in span):
                given.update(token.lower() for token in span[:-1])
                surnames.add(span[-1].lower())
    surnames = {name for name in surnames if common[name] < COMMON_WORD_MIN and len(name) > 2}
    return {
        "given": sorted(name for name, uses in given.items() if common[name] <= COMMON_GIVEN_RATIO * uses),
        "surnames": sorted(surnames),
        "inputs": file_records(inputs.shared, inputs.ndt),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True)
    args = parser.parse_args()
    lists = name_lists(args.shared)
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(lists, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"{OUT.relative_to(ROOT)}: {len(lists['given'])} given names, {len(lists['surnames'])} surnames")  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
