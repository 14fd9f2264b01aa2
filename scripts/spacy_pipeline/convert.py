"""Convert the Norwegian Dependency Treebank (NDT) + NorNE to spaCy DocBin files.

Data (read-only, never copied into the project, see /work/shared/README.md):

* ``ndt/nob/*.conll``  -- NDT Bokmål in the *original NDT scheme*: Oslo-Bergen
  tagger POS (``subst``, ``verb``, ``prep`` ...), OBT features
  (``appell|mask|ub|ent``), NDT dependency labels (``SUBJ``, ``PUTFYLL`` ...)
  and NorNE entity tags in the last column (``name=B-PER``).
* ``ud/nob/no_bokmaal-ud-{dev,test}.conllu`` -- the UD conversion of the dev and
  test files (UPOS, UD features, UD trees, same ``name=`` entity tags).

The UD *train* split is not available, and the NDT trees are not in UD format
(prepositions, auxiliaries and copulas head their complements, other labels), so
the UD trees cannot be rebuilt from ``ndt/nob`` without the (Grew) conversion.
This script therefore produces:

``train.spacy``
    * the NDT files of the UD train split (README-ud-norwegian-bokmaal.md file
      ranges; any sentence whose text also occurs in UD dev/test is dropped) with
      tokens, UPOS + UD morphology, UD-style lemmas and NorNE entities, but
      **no dependency annotation** (heads/deps missing, only sentence starts).
      UPOS/morph/lemma are mapped from the NDT tags with a lookup table *learned
      from the NDT dev files aligned with UD dev* (backoff: hand rules).
    * plus the first ``--ud-dev-train`` sentences of UD dev with full UD
      annotation (this is the only UD-scheme tree data the parser sees),
      repeated ``--ud-oversample`` times.
``dev.spacy``   the remaining UD dev sentences (full annotation; model selection).
``test.spacy``  UD test (full annotation; final evaluation only).

Entities: the nine NorNE types are kept as they are
(PER, ORG, LOC, GPE_LOC, GPE_ORG, PROD, EVT, DRV, MISC), as in nb_core_news_*.

Usage::

    python convert.py --ndt /work/shared/corpora/ndt --out /tmp/spacy_nob
"""

from __future__ import annotations

import argparse
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import spacy
from spacy.tokens import Doc, DocBin
from spacy.training.iob_utils import biluo_tags_to_spans, iob_to_biluo
from spacy.vocab import Vocab

# (dev_start, test_start) per file prefix, from README-ud-norwegian-bokmaal.md.
# Files sorting before dev_start are train, before test_start dev, else test.
SPLIT_BOUNDARIES: dict[str, tuple[str, str]] = {
    "ap": ("ap012_0003", "ap014_0003"),
    "bt": ("bt005_0002", "bt005_0006"),
    "db": ("db013_0005", "db014_0003"),
    "kk": ("kk006_0000", "kk007_0001"),
    "sp-bm": ("sp-bm002_0000", "sp-bm003_0000"),
    "vg": ("vg002_0004", "vg002_0005"),
    "blogg-bm": ("blogg-bm003_0001", "blogg-bm003_0003"),
    "nou": ("nou004_0001", "nou004_0002"),
    "st": ("st005_0001", "st005_0003"),
}

# Backoff NDT POS -> UPOS when the learned table has no entry.
POS_FALLBACK: dict[str, str] = {
    "subst": "NOUN",
    "verb": "VERB",
    "prep": "ADP",
    "adj": "ADJ",
    "pron": "PRON",
    "det": "DET",
    "clb": "PUNCT",
    "adv": "ADV",
    "<komma>": "PUNCT",
    "konj": "CCONJ",
    "sbu": "SCONJ",
    "inf-merke": "PART",
    "<strek>": "PUNCT",
    "<anf>": "PUNCT",
    "ukjent": "X",
    "<parentes-slutt>": "PUNCT",
    "<parentes-beg>": "PUNCT",
    "interj": "INTJ",
    "symb": "SYM",
}
NO_SPACE_BEFORE = {".", ",", ":", ";", "!", "?", ")", "]", "}", "%", "...", "»"}
NO_SPACE_AFTER = {"(", "[", "{", "«"}


@dataclass
class Token:
    """One token of a CoNLL(-U) line."""

    form: str
    lemma: str
    pos: str
    feats: str
    head: int
    dep: str
    ner: str  # BIO tag, e.g. "B-PER" or "O"
    space_after: bool | None = None  # None: unknown (NDT)


@dataclass
class Sentence:
    tokens: list[Token] = field(default_factory=list)
    text: str | None = None

    @property
    def key(self) -> str:
        """Whitespace-free form sequence used to match NDT and UD sentences."""
        return "".join(t.form for t in self.tokens)


def read_conll(path: Path) -> Iterator[Sentence]:
    """Read NDT .conll or UD .conllu, yielding sentences (comments kept as text)."""
    sent = Sentence()
    with path.open(encoding="utf-8") as fh:
        for raw in fh:
            line = raw.rstrip("\n")
            if line.startswith("#"):
                if line.startswith("# text = "):
                    sent.text = line[len("# text = ") :]
                continue
            if not line.strip():
                if sent.tokens:
                    yield sent
                sent = Sentence()
                continue
            cols = line.split("\t")
            if "-" in cols[0] or "." in cols[0]:
                continue  # multiword/empty nodes (none in this treebank)
            misc = cols[9] if len(cols) > 9 else "_"
            ner = "O"
            space_after: bool | None = None
            for item in misc.split("|"):
                if item.startswith("name="):
                    ner = item[5:]
                elif item == "SpaceAfter=No":
                    space_after = False
            sent.tokens.append(Token(cols[1], cols[2], cols[3], cols[5], int(cols[6]), cols[7], ner, space_after))
    if sent.tokens:
        yield sent


def file_split(name: str) -> str:
    """Return 'train', 'dev' or 'test' for an NDT file stem such as 'ap012_0003'."""
    m = re.match(r"^([a-z-]+?)\d", name)
    if not m or m.group(1) not in SPLIT_BOUNDARIES:
        raise ValueError(f"unknown NDT file {name}")
    dev_start, test_start = SPLIT_BOUNDARIES[m.group(1)]
    if name < dev_start:
        return "train"
    return "dev" if name < test_start else "test"


def drop_paragraph_tokens(sent: Sentence) -> Sentence:
    """Remove NDT's artificial '|' paragraph tokens (absent from UD), fixing heads."""
    keep = [i for i, t in enumerate(sent.tokens) if not (t.form == "|" and t.lemma == "$|")]
    new_index = {old + 1: new + 1 for new, old in enumerate(keep)}
    toks = []
    for i in keep:
        t = sent.tokens[i]
        toks.append(Token(t.form, t.lemma, t.pos, t.feats, new_index.get(t.head, 0), t.dep, t.ner, t.space_after))
    return Sentence(toks, sent.text)


# ---------------------------------------------------------------- tag mapping
Key = tuple[str, ...]


class TagMapper:
    """NDT (pos, feats, lemma, deprel) -> (UPOS, UD feats, UD lemma), learned by
    counting aligned tokens of NDT dev files and UD dev, with backoff."""

    def __init__(self) -> None:
        self.tables: list[dict[Key, Counter[tuple[str, str]]]] = [defaultdict(Counter) for _ in range(5)]
        self.lemma_table: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    @staticmethod
    def child_deps(sent: Sentence) -> list[str]:
        """Per token: sorted set of the NDT labels of its children (AUX vs VERB
        depends on an INFV child, ADP vs SCONJ on the complement, ...)."""
        kids: list[set[str]] = [set() for _ in sent.tokens]
        for t in sent.tokens:
            if t.head > 0:
                kids[t.head - 1].add(f"{t.dep}:{t.pos}")
        return [",".join(sorted(k)) for k in kids]

    @staticmethod
    def keys(t: Token, ctx: str) -> list[Key]:
        return [
            (t.pos, t.feats, t.lemma.lower(), t.dep, ctx),
            (t.pos, t.feats, t.lemma.lower(), t.dep),
            (t.pos, t.feats, t.lemma.lower()),
            (t.pos, t.feats),
            (t.pos,),
        ]

    def learn(self, ndt: Sentence, ud: Sentence) -> None:
        for a, b, ctx in zip(ndt.tokens, ud.tokens, self.child_deps(ndt), strict=True):
            for table, key in zip(self.tables, self.keys(a, ctx), strict=True):
                table[key][(b.pos, b.feats)] += 1
            self.lemma_table[(a.lemma, b.pos)][b.lemma] += 1

    def map(self, t: Token, ctx: str) -> tuple[str, str, str]:
        upos, feats = POS_FALLBACK.get(t.pos, "X"), "_"
        for i, (table, key) in enumerate(zip(self.tables, self.keys(t, ctx), strict=True)):
            counts = table.get(key)
            # lexicalised keys need some support, otherwise back off
            if counts and (i >= 3 or sum(counts.values()) >= 2):
                upos, feats = counts.most_common(1)[0][0]
                break
        if t.pos == "subst" and "prop" in t.feats.split("|"):
            upos = "PROPN"
        lemma_counts = self.lemma_table.get((t.lemma, upos))
        lemma = lemma_counts.most_common(1)[0][0] if lemma_counts else t.lemma
        return upos, feats, lemma


# ---------------------------------------------------------------- Doc building
def guess_spaces(tokens: Sequence[Token]) -> list[bool]:
    """Heuristic whitespace for NDT (which has no SpaceAfter information)."""
    spaces = []
    for i, t in enumerate(tokens):
        nxt = tokens[i + 1].form if i + 1 < len(tokens) else None
        if t.space_after is not None:
            spaces.append(t.space_after)
        elif nxt is None:
            spaces.append(True)
        else:
            spaces.append(not (nxt in NO_SPACE_BEFORE or t.form in NO_SPACE_AFTER))
    return spaces


def sentences_to_doc(vocab: Vocab, sents: Sequence[Sentence], with_deps: bool) -> Doc:
    words: list[str] = []
    spaces: list[bool] = []
    pos: list[str] = []
    morphs: list[str] = []
    lemmas: list[str] = []
    heads: list[int] = []
    deps: list[str] = []
    sent_starts: list[bool | int | None] = []  # the type spaCy's Doc takes
    iob: list[str] = []
    for s in sents:
        offset = len(words)
        words.extend(t.form for t in s.tokens)
        spaces.extend(guess_spaces(s.tokens))
        for j, t in enumerate(s.tokens):
            pos.append(t.pos)
            morphs.append("" if t.feats == "_" else t.feats)
            lemmas.append(t.lemma)
            heads.append(offset + (t.head - 1 if t.head > 0 else j))
            deps.append("ROOT" if t.head == 0 else t.dep)
            sent_starts.append(j == 0)
            iob.append(t.ner)
    doc = Doc(
        vocab,
        words=words,
        spaces=spaces,
        pos=pos,
        morphs=morphs,
        lemmas=lemmas,
        heads=heads if with_deps else None,
        deps=deps if with_deps else None,
        sent_starts=None if with_deps else sent_starts,
    )
    tags = iob_to_biluo(iob)
    doc.set_ents(biluo_tags_to_spans(doc, tags))  # what `doc.ents = ...` does, as spaCy's stubs type it
    return doc


def write_docbin(vocab: Vocab, sents: list[Sentence], path: Path, with_deps: bool, n_sents: int) -> int:
    db = DocBin(store_user_data=False)
    for i in range(0, len(sents), n_sents):
        db.add(sentences_to_doc(vocab, sents[i : i + n_sents], with_deps))
    db.to_disk(path)
    return len(db)


def map_sentence(mapper: TagMapper, s: Sentence) -> Sentence:
    toks = []
    for t, ctx in zip(s.tokens, mapper.child_deps(s), strict=True):
        upos, feats, lemma = mapper.map(t, ctx)
        toks.append(Token(t.form, lemma, upos, feats, t.head, t.dep, t.ner, t.space_after))
    return Sentence(toks, s.text)


def main(argv: Iterable[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ndt", type=Path, default=Path("/work/shared/corpora/ndt"))
    ap.add_argument("--out", type=Path, default=Path("/tmp/spacy_nob"))
    ap.add_argument(
        "--ud-dev-train", type=int, default=1900, help="first N UD dev sentences go to train (parser data), rest is dev"
    )
    ap.add_argument(
        "--ud-oversample",
        type=int,
        default=3,
        help="repeat the UD dev-train docs N times (they are the only tree data)",
    )
    ap.add_argument("--n-sents", type=int, default=10, help="sentences per Doc")
    args = ap.parse_args(list(argv) if argv is not None else None)
    args.out.mkdir(parents=True, exist_ok=True)

    ndt_split: dict[str, list[Sentence]] = {"train": [], "dev": [], "test": []}
    for path in sorted((args.ndt / "ndt" / "nob").glob("*.conll")):
        ndt_split[file_split(path.stem)].extend(drop_paragraph_tokens(s) for s in read_conll(path))
    ud_dev = list(read_conll(args.ndt / "ud" / "nob" / "no_bokmaal-ud-dev.conllu"))
    ud_test = list(read_conll(args.ndt / "ud" / "nob" / "no_bokmaal-ud-test.conllu"))
    print({k: len(v) for k, v in ndt_split.items()}, "UD dev", len(ud_dev), "UD test", len(ud_test))

    # learn the tag mapping from NDT-dev <-> UD-dev sentences with identical tokens
    mapper = TagMapper()
    ud_by_key = {s.key: s for s in ud_dev}
    aligned = 0
    for s in ndt_split["dev"]:
        u = ud_by_key.get(s.key)
        if u is not None and len(u.tokens) == len(s.tokens):
            mapper.learn(s, u)
            aligned += 1
    print(f"aligned {aligned} NDT dev sentences with UD dev for the tag mapping")

    held_out = {s.key for s in ud_dev} | {s.key for s in ud_test}
    train_ndt = [map_sentence(mapper, s) for s in ndt_split["train"] if s.key not in held_out]
    print(f"NDT train sentences: {len(train_ndt)} (dropped {len(ndt_split['train']) - len(train_ndt)} overlapping)")

    nlp = spacy.blank("nb")
    db = DocBin(store_user_data=False)
    for i in range(0, len(train_ndt), args.n_sents):
        db.add(sentences_to_doc(nlp.vocab, train_ndt[i : i + args.n_sents], with_deps=False))
    dev_train = ud_dev[: args.ud_dev_train]
    for _ in range(args.ud_oversample):
        for i in range(0, len(dev_train), args.n_sents):
            db.add(sentences_to_doc(nlp.vocab, dev_train[i : i + args.n_sents], with_deps=True))
    db.to_disk(args.out / "train.spacy")
    print("train docs", len(db))
    print("dev docs", write_docbin(nlp.vocab, ud_dev[args.ud_dev_train :], args.out / "dev.spacy", True, args.n_sents))
    print("test docs", write_docbin(nlp.vocab, ud_test, args.out / "test.spacy", True, args.n_sents))


if __name__ == "__main__":
    main()
