"""Write knowledge/wordlists/nynorsk.txt.gz: every word form and lemma of the NDT nynorsk treebank, lower case.

Why: the assistant's own nynorsk texts (bot/domain.yml, knowledge/nynorsk.yml, contract/nynorsk.yml)
are checked word by word against it in `make test` (tests/contract/test_nynorsk_spelling.py), so a
bokmål form ("ikke", "hvem", "jeg") or a misspelling cannot slip in. Forms the treebank marks as
non-normative (`unorm`: dialect, typos) or unknown (foreign words, quoted bokmål), names, a few
bokmål forms that stand there as ordinary words, numbers and punctuation are left out. Only the
word list is written, no corpus text; the domain terms the treebank lacks (DPS, TSB, ROP-lidingar
...) are allowed by knowledge/wordlists/nynorsk_allowed.txt, reviewed by hand.

Usage: python scripts/build_nynorsk_lexicon.py --shared ../shared
"""

from __future__ import annotations

import argparse
import gzip
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "knowledge" / "wordlists" / "nynorsk.txt.gz"
WORD = re.compile(r"^[a-zæøåéèüô]+(?:-[a-zæøåéèüô]+)*$")
# Bokmål forms that still stand in the treebank as ordinary words (quoted speech, old spellings):
# never nynorsk in the assistant's own words.
BOKMAL_ONLY = frozenset({"ikke", "jeg", "hva", "hvem", "hvordan", "hvor", "hvorfor", "være", "ble", "noe", "mye"})


def words_of(path: Path) -> set[str]:
    """The normative word forms and lemmas of one CoNLL file, lower case."""
    found: set[str] = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        columns = line.split("\t")
        if len(columns) < 6 or "unorm" in columns[5] or columns[3] == "ukjent" or "prop" in columns[5]:
            continue  # non-normative, unknown (foreign, bokmål quotes) or a name
        for word in (columns[1].lower(), columns[2].lower()):  # the form and its lemma (base form)
            if WORD.match(word) and word not in BOKMAL_ONLY:
                found.add(word)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, required=True)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    files = sorted((args.shared / "corpora" / "ndt" / "ndt" / "nno").glob("*.conll"))
    if not files:
        raise SystemExit(f"no NDT nynorsk files under {args.shared}/corpora/ndt/ndt/nno")
    words = sorted(set().union(*map(words_of, files)))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    # mtime 0: the same words give the same bytes, so a rebuild does not show as a change
    with args.out.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:
        out.write(("\n".join(words) + "\n").encode("utf-8"))
    print(f"{len(words)} nynorsk word forms from {len(files)} files -> {args.out}")


if __name__ == "__main__":
    main()
