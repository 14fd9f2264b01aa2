"""Build the offline Norwegian sentence encoder (a static word-piece embedding model).

Why: the assistant runs without internet or a model hub, so the dense half of retrieval
(BM25 + FAISS) needs an encoder built locally from the corpora in ../shared. A static
embedding model (mean of token vectors) is small, loads in well under a second and encodes
a question in well under a millisecond on CPU, which is all retrieval over two short
guideline texts needs.

What it does, in order:
1. trains a lowercase WordPiece tokenizer (HF ``tokenizers``) on NoReC, NDT (nob + nno) and
   the two seed texts, keeping æ/ø/å (no accent stripping);
2. counts token co-occurrences (symmetric window of 5, 1/distance weighting, not across
   sentences, not between pieces of one word) over NDT, all of NoReC and the seed texts,
   the seeds up-weighted so domain words (kommunen, koordinator, DPS) get good vectors;
3. turns the counts into PPMI with context-distribution smoothing (alpha 0.75) and factorises
   them with a seeded randomized truncated SVD (vectors = U * S**0.5);
4. centres and row-normalises the vectors, then scales each by a SIF weight a / (a + p(token))
   so that the mean taken by StaticEmbedding down-weights function words;
5. wraps tokenizer + vectors in ``StaticEmbedding`` inside ``SentenceTransformer`` and saves
   it, then writes ``build_manifest.json`` and prints neighbour and sentence-pair checks.

Only trained weights and the word-piece vocabulary are written; no corpus text is copied.
The build is deterministic: fixed seeds, fixed input order, canonical token ids (the
tokenizer trainer numbers pieces in hash order), sign-fixed SVD. Weights are float32:
StaticEmbedding loads float16 too, but then encode() returns float16 arrays, which FAISS
rejects; 20k x 256 float32 is ~20 MB.

Usage: python scripts/build_encoder.py --shared ../shared --out knowledge/models/nb-static-v0
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import re
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from tokenizers import Tokenizer

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

SCRIPT_NAME = "scripts/build_encoder.py"
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]")
PROBE_WORDS: tuple[str, ...] = ("kommune", "bolig", "rus", "lege", "arbeid", "psykisk")
SENTENCE_PAIRS: tuple[tuple[str, str, str], ...] = (
    (
        "related",
        "Hvem har ansvaret for individuell plan?",
        "Hovedansvaret for utvikling og rullering av planen sammen med pasienten ligger i kommunen hos koordinator",
    ),
    (
        "related",
        "Hva gjør NAV for folk med rusproblemer?",
        "NAV skal bidra med arbeid, økonomisk stønad og hjelp til bolig for personer med rusmiddelproblemer",
    ),
    (
        "related",
        "Når skal DPS eller TSB involveres?",
        "Spesialisthelsetjenesten kommer inn med avgrensede oppgaver i avgrensede perioder",
    ),
    (
        "unrelated",
        "Hvem har ansvaret for individuell plan?",
        "Filmen har flotte skuespillere, men historien er altfor lang og forutsigbar",
    ),
    (
        "unrelated",
        "Hva gjør NAV for folk med rusproblemer?",
        "Kameraet på denne telefonen tar skarpe bilder i dagslys",
    ),
    (
        "unrelated",
        "Når skal DPS eller TSB involveres?",
        "Restauranten serverte lammefilet og sjokoladekake til dessert",
    ),
)


@dataclass(frozen=True)
class BuildConfig:
    """All knobs of the build; stored in the manifest so a result can be reproduced."""

    seed: int = 20240601
    vocab_size: int = 20_000
    dim: int = 256
    window: int = 5
    max_norec_tokens: int = 30_000_000  # more than NoReC has (~24M tokens): use all of it
    seed_text_weight: int = 30
    tokenizer_seed_repeats: int = 20
    cds_alpha: float = 0.75
    sv_power: float = 0.5  # vectors = U * S**sv_power
    sif_a: float = 1e-4
    svd_oversample: int = 24
    svd_power_iters: int = 4
    chunk_tokens: int = 2_000_000


@dataclass(frozen=True)
class Corpus:
    """Segments (sentences/paragraphs) of each source, in a fixed order."""

    ndt: list[str]
    seeds: list[str]
    norec_files: list[Path]


# --------------------------------------------------------------------------- inputs


def sha256_file(path: Path) -> str:
    """Hash a file in blocks so the manifest pins exactly which inputs were used."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def iter_norec_sentences(path: Path) -> Iterator[str]:
    """Yield non-empty sentence lines of one NoReC gzip, skipping ``### <id>`` headers."""
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for line in handle:
            line = line.strip()
            if line and not line.startswith("### "):
                yield line


def read_conll_sentences(path: Path) -> list[str]:
    """Rebuild plain sentences from the FORM column of one NDT CoNLL file."""
    sentences: list[str] = []
    forms: list[str] = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            if forms:
                sentences.append(" ".join(forms))
                forms = []
            continue
        if line.startswith("#"):
            continue
        cols = line.split("\t")
        if len(cols) > 1 and cols[0].isdigit():
            forms.append(cols[1])
    if forms:
        sentences.append(" ".join(forms))
    return sentences


_BULLET = re.compile(r"^\s*(?:[o•●▪\-–]\s+|o(?=[A-ZÆØÅ]))")


def read_seed_segments(path: Path) -> list[str]:
    """Split a seed text into paragraph segments, dropping bullet glyphs and hard line breaks.

    Light cleaning is enough here: the segments only feed co-occurrence counts, the verbatim
    wording is kept elsewhere (knowledge/sources)."""
    segments: list[str] = []
    current: list[str] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            if current:
                segments.append(" ".join(current))
                current = []
            continue
        starts_item = bool(_BULLET.match(raw)) and current
        line = _BULLET.sub("", line).strip()
        if starts_item:
            segments.append(" ".join(current))
            current = []
        if line:
            current.append(line)
    if current:
        segments.append(" ".join(current))
    # re-join words hyphenated at a line end ("tjeneste- apparatet"), keep "helse- og".
    # "ROP- lidelser" is a compound split by the extraction; keep "helse- og" as it is.
    return [re.sub(r"(\w)- (?!og\b|eller\b)(\w)", r"\1-\2", seg) for seg in segments]


def load_corpus(shared: Path) -> tuple[Corpus, list[dict[str, str | int]]]:
    """Read NDT and seed segments and list NoReC files; return them with file hashes."""
    corpora = shared / "corpora"
    norec_files = [corpora / "norec" / f"norec-{split}.txt.gz" for split in ("train", "dev", "test")]
    ndt_files = sorted((corpora / "ndt" / "ndt" / "nob").glob("*.conll")) + sorted(
        (corpora / "ndt" / "ndt" / "nno").glob("*.conll")
    )
    seed_files = sorted((shared / "seeds").glob("*.txt"))
    for required in (norec_files, ndt_files, seed_files):
        missing = [p for p in required if not p.is_file()]
        if missing or not required:
            raise SystemExit(f"missing input files under {shared}: {missing or 'none found'}")

    ndt: list[str] = []
    for path in ndt_files:
        ndt.extend(read_conll_sentences(path))
    seeds: list[str] = []
    for path in seed_files:
        seeds.extend(read_seed_segments(path))

    inputs: list[dict[str, str | int]] = [
        {
            "file": str(p.relative_to(shared)),
            "bytes": p.stat().st_size,
            "sha256": sha256_file(p),
        }
        for p in [*seed_files, *norec_files, *ndt_files]
    ]
    return Corpus(ndt=ndt, seeds=seeds, norec_files=norec_files), inputs


# --------------------------------------------------------------------------- tokenizer


def train_tokenizer(corpus: Corpus, cfg: BuildConfig) -> Tokenizer:
    """Train the lowercase WordPiece tokenizer on all sources and renumber it canonically.

    The seed texts are repeated ``tokenizer_seed_repeats`` times so their words get
    domain-shaped pieces (samhandling, spesialisthelsetjenesten) instead of letter soup.
    Adding seed words whole was tried and retrieved worse: inflections then become
    unrelated tokens, while shared pieces (kart ##legging ##en) still match."""
    from tokenizers import decoders, models, normalizers, pre_tokenizers, trainers

    tokenizer = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    # NFC + lowercase only: BertNormalizer would strip accents (å -> a) when lowercasing.
    tokenizer.normalizer = normalizers.Sequence([normalizers.NFC(), normalizers.Lowercase()])
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.BertPreTokenizer(), pre_tokenizers.Digits(individual_digits=False)]
    )
    tokenizer.decoder = decoders.WordPiece(prefix="##")
    trainer = trainers.WordPieceTrainer(
        vocab_size=cfg.vocab_size,
        min_frequency=3,
        special_tokens=list(SPECIAL_TOKENS),
        show_progress=False,
        continuing_subword_prefix="##",
    )

    def batches() -> Iterator[list[str]]:
        for _ in range(cfg.tokenizer_seed_repeats):
            yield corpus.seeds
        yield from _batched(corpus.ndt, 10_000)
        for path in corpus.norec_files:
            yield from _batched(iter_norec_sentences(path), 10_000)

    tokenizer.train_from_iterator(batches(), trainer=trainer)

    # The trainer numbers "##x" pieces in hash-map order, so ids differ between runs even
    # though the token set does not. WordPiece encoding only needs the set, so renumber:
    # special tokens first, then whole-word tokens, then "##" pieces, each sorted.
    trained = tokenizer.get_vocab()
    rest = sorted((t for t in trained if t not in SPECIAL_TOKENS), key=lambda t: (t.startswith("##"), t))
    canonical = {tok: idx for idx, tok in enumerate([*SPECIAL_TOKENS, *rest])}
    tokenizer.model = models.WordPiece(
        vocab=canonical, unk_token="[UNK]", max_input_chars_per_word=100, continuing_subword_prefix="##"
    )
    return tokenizer


def _batched(items: Iterable[str], size: int) -> Iterator[list[str]]:
    """Group strings into lists, because ``tokenizers`` is much faster on batches."""
    batch: list[str] = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class TokenStream:
    """Token ids with parallel segment and word numbers for co-occurrence counting.

    Segment numbers keep windows inside a sentence; word numbers let the counter skip
    pairs of pieces from the same word (``lege ##middel`` must not make "lege" mean
    "medicine")."""

    ids: npt.NDArray[np.int32]
    segs: npt.NDArray[np.int32]
    words: npt.NDArray[np.int32]

    @staticmethod
    def concat(streams: list[TokenStream]) -> TokenStream:
        """Join streams, renumbering segments and words so they stay distinct."""
        ids, segs, words = [], [], []
        seg_off = word_off = 0
        for st in streams:
            ids.append(st.ids)
            segs.append(st.segs + seg_off)
            words.append(st.words + word_off)
            if st.ids.size:
                seg_off += int(st.segs.max()) + 1
                word_off += int(st.words.max()) + 1
        return TokenStream(np.concatenate(ids), np.concatenate(segs), np.concatenate(words))


def encode_segments(tokenizer: Tokenizer, segments: Iterable[str], max_tokens: int | None = None) -> TokenStream:
    """Tokenize segments (in order) into one stream, stopping after ``max_tokens`` tokens."""
    id_parts: list[npt.NDArray[np.int32]] = []
    seg_parts: list[npt.NDArray[np.int32]] = []
    word_parts: list[npt.NDArray[np.int32]] = []
    total = seg_no = word_no = 0
    for batch in _batched(segments, 20_000):
        for enc in tokenizer.encode_batch(batch, add_special_tokens=False):
            n = len(enc.ids)
            if n == 0:
                continue
            word_ids = np.asarray(enc.word_ids, dtype=np.int32)
            id_parts.append(np.asarray(enc.ids, dtype=np.int32))
            seg_parts.append(np.full(n, seg_no, dtype=np.int32))
            word_parts.append(word_ids + word_no)
            seg_no += 1
            word_no += int(word_ids.max()) + 1
            total += n
        if max_tokens is not None and total >= max_tokens:
            break
    if not id_parts:
        empty = np.zeros(0, np.int32)
        return TokenStream(empty, empty, empty)
    limit = max_tokens if max_tokens is not None else total
    return TokenStream(
        np.concatenate(id_parts)[:limit],
        np.concatenate(seg_parts)[:limit],
        np.concatenate(word_parts)[:limit],
    )


def iter_norec_all(files: list[Path]) -> Iterator[str]:
    """NoReC sentences in split order (train, dev, test)."""
    for path in files:
        yield from iter_norec_sentences(path)


# --------------------------------------------------------------------------- vectors


def content_mask(tokenizer: Tokenizer) -> npt.NDArray[np.bool_]:
    """True for tokens that should get a vector: not special, not punctuation/digits only.

    Punctuation rows stay zero, so they drop out of the (normalised) mean."""
    vocab: dict[str, int] = tokenizer.get_vocab()
    mask = np.zeros(len(vocab), dtype=bool)
    for token, idx in vocab.items():
        body = token[2:] if token.startswith("##") else token
        mask[idx] = token not in SPECIAL_TOKENS and any(ch.isalpha() for ch in body)
    return mask


def cooccurrence(
    stream: TokenStream,
    vocab_size: int,
    keep: npt.NDArray[np.bool_],
    window: int,
    chunk: int,
) -> sp.csr_matrix:
    """Symmetric co-occurrence counts within ``window`` tokens, weighted 1/distance.

    Worked in chunks so memory stays bounded; chunks overlap by ``window`` tokens so no
    pair is lost or counted twice."""
    total = sp.csr_matrix((vocab_size, vocab_size), dtype=np.float64)
    n = stream.ids.size
    for start in range(0, n, chunk):
        stop = min(n, start + chunk + window)
        cid, cseg, cword = stream.ids[start:stop], stream.segs[start:stop], stream.words[start:stop]
        owned = min(chunk, n - start)  # left positions this chunk is responsible for
        rows: list[npt.NDArray[np.int32]] = []
        cols: list[npt.NDArray[np.int32]] = []
        vals: list[npt.NDArray[np.float64]] = []
        for d in range(1, window + 1):
            left = cid[: max(0, min(owned, cid.size - d))]
            right = cid[d : d + left.size]
            m = left.size
            ok = (cseg[:m] == cseg[d : d + m]) & (cword[:m] != cword[d : d + m]) & keep[left] & keep[right]
            a, b = left[ok], right[ok]
            w = np.full(a.size, 1.0 / d)
            rows += [a, b]
            cols += [b, a]
            vals += [w, w]
        mat = sp.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
            shape=(vocab_size, vocab_size),
        ).tocsr()
        total = total + mat
    total.sum_duplicates()
    return total


def ppmi(counts: sp.csr_matrix, alpha: float) -> sp.csr_matrix:
    """Positive PMI with context-distribution smoothing (Levy, Goldberg & Dagan 2015).

    Raising context counts to ``alpha`` < 1 dampens PMI's bias towards rare contexts."""
    counts = counts.tocsr().astype(np.float64)
    row = np.asarray(counts.sum(axis=1)).ravel()
    col = np.asarray(counts.sum(axis=0)).ravel()
    total = row.sum()
    col_alpha = col**alpha
    p_ctx = col_alpha / col_alpha.sum()
    coo = counts.tocoo()
    with np.errstate(divide="ignore"):
        pmi = np.log(coo.data / total) - np.log(row[coo.row] / total) - np.log(p_ctx[coo.col])
    keep = pmi > 0
    return sp.csr_matrix((pmi[keep].astype(np.float32), (coo.row[keep], coo.col[keep])), shape=counts.shape)


def randomized_svd(
    mat: sp.csr_matrix, k: int, oversample: int, power_iters: int, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Seeded randomized truncated SVD (Halko et al. 2011); returns U[:, :k] and S[:k].

    Written out here instead of using scikit-learn to keep the dependency list short; signs
    are fixed so the output does not depend on LAPACK's sign choice."""
    rng = np.random.default_rng(seed)
    n_cols = mat.shape[1]
    omega = rng.standard_normal((n_cols, k + oversample))
    mat64 = mat.astype(np.float64)
    q, _ = np.linalg.qr(mat64 @ omega)
    for _ in range(power_iters):
        z, _ = np.linalg.qr(mat64.T @ q)
        q, _ = np.linalg.qr(mat64 @ z)
    small = (mat64.T @ q).T  # (k+p) x n_cols  == Q^T A
    u_small, s, _ = np.linalg.svd(small, full_matrices=False)
    u = q @ u_small[:, :k]
    s = s[:k]
    signs = np.sign(u[np.abs(u).argmax(axis=0), np.arange(k)])
    signs[signs == 0] = 1.0
    return u * signs, s


def token_vectors(
    u: npt.NDArray[np.float64],
    s: npt.NDArray[np.float64],
    unigram: npt.NDArray[np.float64],
    keep: npt.NDArray[np.bool_],
    sv_power: float,
    sif_a: float,
) -> npt.NDArray[np.float32]:
    """U * S**sv_power, centred, row-normalised, then scaled by the SIF weight a / (a + p(token)).

    Centring removes the shared "frequent word" direction; the SIF scale makes the plain mean
    in StaticEmbedding behave like a frequency-weighted mean (function words count little)."""
    vec = u * (s**sv_power)[None, :]
    has = keep & (np.linalg.norm(vec, axis=1) > 0)
    vec[~has] = 0.0
    weights = unigram[has] / unigram[has].sum()
    vec[has] -= weights @ vec[has]
    norms = np.linalg.norm(vec, axis=1, keepdims=True)
    vec = np.divide(vec, norms, out=np.zeros_like(vec), where=norms > 0)
    p = unigram / max(unigram.sum(), 1.0)
    sif = sif_a / (sif_a + p)
    vec *= sif[:, None]
    vec[~has] = 0.0
    result: npt.NDArray[np.float32] = vec.astype(np.float32)
    return result


# --------------------------------------------------------------------------- model + reports


def make_model(tokenizer: Tokenizer, weights: npt.NDArray[np.float32]) -> SentenceTransformer:
    """Wrap tokenizer and weights as a SentenceTransformer with one StaticEmbedding module."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    module = StaticEmbedding(tokenizer, embedding_weights=torch.from_numpy(weights))
    return SentenceTransformer(modules=[module], device="cpu")


MODEL_CARD = """# nb-static-v0

Offline Norwegian (Bokmål/Nynorsk) static sentence encoder for ROP-veiviser retrieval.
Built by `{script}`; see `build_manifest.json` for inputs, parameters and hashes.

- Tokenizer: lowercase WordPiece, {vocab} tokens, æ/ø/å kept.
- Vectors: {dim}-d PPMI (window {window}, alpha {alpha}) + randomized SVD (U*S^{sv_power}),
  centred, row-normalised, SIF-weighted (a={sif_a}); punctuation and special tokens are zero.
- Sentence vector = mean of token vectors (StaticEmbedding); normalise before cosine/IP.
- Trained on NoReC (CC BY-NC 4.0 texts; trained weights may be used freely), NDT nob+nno
  and the two ROP seed texts. No corpus text is included.

```python
from sentence_transformers import SentenceTransformer
model = SentenceTransformer("knowledge/models/nb-static-v0", device="cpu")
emb = model.encode(["Hvem har ansvaret for individuell plan?"], normalize_embeddings=True)
```
"""


def nearest_neighbours(
    tokenizer: Tokenizer, weights: npt.NDArray[np.float32], words: Iterable[str], k: int = 8
) -> dict[str, list[tuple[str, float]]]:
    """Cosine neighbours of whole-word tokens, as a quick look at vector quality."""
    vocab: dict[str, int] = tokenizer.get_vocab()
    inv = {i: t for t, i in vocab.items()}
    norms = np.linalg.norm(weights, axis=1)
    unit = np.divide(weights, norms[:, None], out=np.zeros_like(weights), where=norms[:, None] > 0)
    out: dict[str, list[tuple[str, float]]] = {}
    for word in words:
        idx = vocab.get(word)
        if idx is None or norms[idx] == 0:
            out[word] = []
            continue
        sims = unit @ unit[idx]
        sims[idx] = -np.inf
        best = np.argsort(-sims, kind="stable")[:k]
        out[word] = [(inv[int(i)], round(float(sims[i]), 3)) for i in best]
    return out


def sentence_checks(model: SentenceTransformer) -> list[dict[str, Any]]:
    """Cosine of related vs unrelated sentence pairs: related pairs must score higher."""
    results: list[dict[str, Any]] = []
    for kind, a, b in SENTENCE_PAIRS:
        emb = model.encode([a, b], normalize_embeddings=True, convert_to_numpy=True)
        results.append({"kind": kind, "a": a, "b": b, "cosine": round(float(emb[0] @ emb[1]), 4)})
    return results


def write_manifest(
    out: Path,
    cfg: BuildConfig,
    vocab_size: int,
    inputs: list[dict[str, str | int]],
    token_counts: dict[str, int],
    build_seconds: float,
    checks: list[dict[str, Any]],
    neighbours: dict[str, list[tuple[str, float]]],
) -> None:
    """Record inputs, parameters and output hashes so a model file can be traced and rebuilt."""
    import scipy
    import sentence_transformers
    import tokenizers
    import torch

    files: list[dict[str, str | int]] = []
    total_bytes = 0
    for path in sorted(p for p in out.rglob("*") if p.is_file() and p.name != "build_manifest.json"):
        size = path.stat().st_size
        total_bytes += size
        files.append({"file": str(path.relative_to(out)), "bytes": size, "sha256": sha256_file(path)})
    weights = out / "model.safetensors"
    manifest = {
        "script": SCRIPT_NAME,
        "seed": cfg.seed,
        "vocab_size": vocab_size,
        "dimension": cfg.dim,
        "dtype": "float32",
        "config": asdict(cfg),
        "tokens_used": token_counts,
        "inputs": inputs,
        "outputs": files,
        "weights_sha256": sha256_file(weights),
        "total_output_bytes_without_manifest": total_bytes,
        "sentence_checks": checks,
        "neighbours": {word: [f"{tok} {cos:.3f}" for tok, cos in nbrs] for word, nbrs in neighbours.items()},
        "build_seconds": round(build_seconds, 1),
        "built_at_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "scipy": scipy.__version__,
            "torch": torch.__version__,
            "tokenizers": tokenizers.__version__,
            "sentence_transformers": sentence_transformers.__version__,
        },
    }
    (out / "build_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the settings of the shipped model."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="shared material dir")
    parser.add_argument("--out", type=Path, default=Path("knowledge/models/nb-static-v0"), help="output model dir")
    parser.add_argument("--seed", type=int, default=BuildConfig.seed)
    parser.add_argument("--vocab-size", type=int, default=BuildConfig.vocab_size)
    parser.add_argument("--dim", type=int, default=BuildConfig.dim)
    parser.add_argument("--max-norec-tokens", type=int, default=BuildConfig.max_norec_tokens)
    parser.add_argument("--seed-text-weight", type=int, default=BuildConfig.seed_text_weight)
    return parser.parse_args(argv)


def log(msg: str, t0: float) -> None:
    """Progress line with elapsed seconds (to stderr, so stdout stays the report)."""
    print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    """Run the whole build; returns a process exit code."""
    args = parse_args(argv)
    cfg = BuildConfig(
        seed=args.seed,
        vocab_size=args.vocab_size,
        dim=args.dim,
        max_norec_tokens=args.max_norec_tokens,
        seed_text_weight=args.seed_text_weight,
    )
    t0 = time.perf_counter()
    np.random.seed(cfg.seed)  # nothing should use the global RNG; pinned anyway
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")

    corpus, inputs = load_corpus(args.shared)
    log(f"read inputs: {len(corpus.ndt)} NDT sentences, {len(corpus.seeds)} seed segments", t0)

    tokenizer = train_tokenizer(corpus, cfg)
    vocab_size = tokenizer.get_vocab_size()
    log(f"tokenizer trained: {vocab_size} tokens", t0)

    keep = content_mask(tokenizer)
    ndt = encode_segments(tokenizer, corpus.ndt)
    seeds = encode_segments(tokenizer, corpus.seeds)
    norec = encode_segments(tokenizer, iter_norec_all(corpus.norec_files), cfg.max_norec_tokens)
    log(f"encoded: ndt={ndt.ids.size} seeds={seeds.ids.size} norec={norec.ids.size} tokens", t0)

    general = TokenStream.concat([ndt, seeds, norec])
    counts = cooccurrence(general, vocab_size, keep, cfg.window, cfg.chunk_tokens)
    seed_counts = cooccurrence(seeds, vocab_size, keep, cfg.window, cfg.chunk_tokens)
    # the seeds are already in `counts` once; add them (weight - 1) more times
    counts = counts + seed_counts * float(cfg.seed_text_weight - 1)
    log(f"co-occurrence: {counts.nnz} non-zero pairs", t0)

    pm = ppmi(counts, cfg.cds_alpha)
    log(f"PPMI: {pm.nnz} positive cells", t0)
    u, s = randomized_svd(pm, cfg.dim, cfg.svd_oversample, cfg.svd_power_iters, cfg.seed)
    log("SVD done", t0)

    # SIF weights use the unweighted stream so up-weighted domain words are not penalised
    unigram = np.bincount(general.ids, minlength=vocab_size).astype(np.float64)
    weights = token_vectors(u, s, unigram, keep, cfg.sv_power, cfg.sif_a)

    model = make_model(tokenizer, weights)
    args.out.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out), create_model_card=False)
    (args.out / "README.md").write_text(
        MODEL_CARD.format(
            script=SCRIPT_NAME,
            vocab=vocab_size,
            dim=cfg.dim,
            window=cfg.window,
            alpha=cfg.cds_alpha,
            sv_power=cfg.sv_power,
            sif_a=cfg.sif_a,
        ),
        encoding="utf-8",
    )
    for path in args.out.iterdir():  # safetensors writes 0600; the model is not a secret
        if path.is_file():
            path.chmod(0o644)
    log(f"saved model to {args.out}", t0)

    neighbours = nearest_neighbours(tokenizer, weights, PROBE_WORDS)
    checks = sentence_checks(model)
    token_counts = {
        "ndt": int(ndt.ids.size),
        "seeds": int(seeds.ids.size),
        "seed_text_weight": cfg.seed_text_weight,
        "norec": int(norec.ids.size),
        "total": int(general.ids.size),
    }
    write_manifest(args.out, cfg, vocab_size, inputs, token_counts, time.perf_counter() - t0, checks, neighbours)

    print("Nearest neighbours (cosine):")
    for word, nbrs in neighbours.items():
        shown = ", ".join(f"{t} {c:.2f}" for t, c in nbrs) or "(not a whole token)"
        print(f"  {word:8s} -> {shown}")
    print("Sentence pairs (cosine):")
    for row in checks:
        print(f"  {row['kind']:9s} {row['cosine']:+.3f}  {row['a']!r} ~ {row['b']!r}")
    related = min(r["cosine"] for r in checks if r["kind"] == "related")
    unrelated = max(r["cosine"] for r in checks if r["kind"] == "unrelated")
    ok = related > unrelated
    print(f"Sanity: min related {related:.3f} vs max unrelated {unrelated:.3f} -> {'OK' if ok else 'FAIL'}")
    log("done", t0)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
