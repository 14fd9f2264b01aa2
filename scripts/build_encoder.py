"""Build the offline Norwegian sentence encoder: a static word-piece model, fine-tuned.

Why: the assistant runs without internet or a model hub, so the dense half of retrieval
(BM25 + FAISS) needs an encoder built locally. A static embedding model (mean of token
vectors) is small, loads in well under a second and encodes a question in well under a
millisecond on CPU, which is all retrieval over two short guideline texts needs.

What it does, in order:
1. trains a lowercase WordPiece tokenizer (HF ``tokenizers``) on the two seed texts, NDT
   (nob + nno) and NoReC, keeping æ/ø/å (no accent stripping);
2. initialises every token's vector from the project's floret word vectors
   (``scripts/build_word_vectors.py``: subword-aware, so rare pieces get sensible vectors),
   centred, row-normalised and scaled by a SIF weight a / (a + p(token)) so that the mean
   taken by StaticEmbedding down-weights function words;
3. fine-tunes the vectors with an in-batch-negatives ranking loss on pairs written for this
   project (``knowledge/training``): worker questions -> the passage that answers them, and
   paraphrases (bokmål <-> nynorsk, abbreviations, everyday words <-> guideline words).
   A seeded 10 % of the questions is held back to pick the number of epochs. The evaluation
   questions in ``knowledge/eval`` are never read here (``make eval`` uses them);
4. saves ``StaticEmbedding`` inside ``SentenceTransformer`` plus ``build_manifest.json``
   (inputs and their hashes, parameters, held-back scores per epoch, output hashes).

Only trained weights and the word-piece vocabulary are written; no corpus text is copied.
Deterministic: fixed seeds, fixed input order, canonical token ids, one torch thread.

Usage (services venv, from the project root):
    PYTHONPATH=. python scripts/build_encoder.py --shared ../shared \
        --vectors knowledge/models/nb-floret-v1/vectors.floret.gz --out knowledge/models/nb-static-v1
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt
import yaml
from corpus import Inputs, file_records, find_inputs, iter_ndt, iter_norec, iter_seeds
from tokenizers import Tokenizer

from knowledge.documents import Passage, load_sources

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

SCRIPT_NAME = "scripts/build_encoder.py"
SPECIAL_TOKENS: tuple[str, ...] = ("[PAD]", "[UNK]")
TRAINING_DIR = Path("knowledge/training")
SOURCES_DIR = Path("knowledge/sources")
PROBE_WORDS: tuple[str, ...] = ("kommune", "bolig", "bustad", "rus", "lege", "arbeid", "koordinator", "kven")


@dataclass(frozen=True)
class BuildConfig:
    """All knobs of the build; stored in the manifest so a result can be reproduced."""

    seed: int = 20240601
    vocab_size: int = 30_000
    tokenizer_seed_repeats: int = 20
    sif_a: float = 1e-3
    epochs: int = 10
    batch_size: int = 48
    learning_rate: float = 0.005
    scale: float = 20.0
    dev_fraction: float = 0.1


@dataclass(frozen=True)
class Pair:
    """One training example: ``anchor`` should land near ``positive``; ``group`` marks texts
    that must not serve as each other's negatives (same passage)."""

    anchor: str
    positive: str
    group: str


# --------------------------------------------------------------------------- tokenizer


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


def train_tokenizer(inputs: Inputs, cfg: BuildConfig) -> Tokenizer:
    """Train the lowercase WordPiece tokenizer on all sources and renumber it canonically.

    The seed texts are repeated so their words get domain-shaped pieces (samhandling,
    spesialisthelsetjenesten) instead of letter soup."""
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
    seeds = list(iter_seeds(inputs))

    def batches() -> Iterator[list[str]]:
        for _ in range(cfg.tokenizer_seed_repeats):
            yield seeds
        yield from _batched(iter_ndt(inputs), 10_000)
        yield from _batched(iter_norec(inputs), 10_000)

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


def token_counts(tokenizer: Tokenizer, inputs: Inputs) -> npt.NDArray[np.float64]:
    """How often each token occurs in NDT, the seeds and NoReC (for the SIF weights)."""
    size = tokenizer.get_vocab_size()
    counts = np.zeros(size, dtype=np.float64)
    for source in (iter_seeds(inputs), iter_ndt(inputs), iter_norec(inputs)):
        for batch in _batched(source, 20_000):
            ids = [i for enc in tokenizer.encode_batch(batch, add_special_tokens=False) for i in enc.ids]
            counts += np.bincount(np.asarray(ids, dtype=np.int64), minlength=size)
    return counts


# --------------------------------------------------------------------------- initial vectors


def content_mask(tokenizer: Tokenizer) -> npt.NDArray[np.bool_]:
    """True for tokens that should get a vector: not special, not punctuation/digits only.

    Punctuation rows stay zero, so they drop out of the (normalised) mean."""
    vocab: dict[str, int] = tokenizer.get_vocab()
    mask = np.zeros(len(vocab), dtype=bool)
    for token, idx in vocab.items():
        body = token.removeprefix("##")
        mask[idx] = token not in SPECIAL_TOKENS and any(ch.isalpha() for ch in body)
    return mask


def floret_token_vectors(tokenizer: Tokenizer, vectors_path: Path) -> npt.NDArray[np.float32]:
    """Look every token up in the floret table ("##nen" as "nen"): floret builds a vector
    for any string from its character n-grams, so no token is left without one."""
    import spacy
    from spacy.training.initialize import convert_vectors

    nlp = spacy.blank("nb")
    convert_vectors(nlp, vectors_path, truncate=0, prune=-1, mode="floret")
    vocab: dict[str, int] = tokenizer.get_vocab()
    tokens = sorted(vocab, key=vocab.__getitem__)
    table = np.asarray(nlp.vocab.vectors.get_batch([t.removeprefix("##") for t in tokens]), dtype=np.float64)
    return table.astype(np.float32)


def initial_weights(
    table: npt.NDArray[np.float32], counts: npt.NDArray[np.float64], keep: npt.NDArray[np.bool_], sif_a: float
) -> npt.NDArray[np.float32]:
    """Centre, row-normalise, then scale each row by the SIF weight a / (a + p(token)).

    Centring removes the shared "frequent word" direction; the SIF scale makes the plain
    mean in StaticEmbedding behave like a frequency-weighted mean."""
    vec: npt.NDArray[np.float64] = table.astype(np.float64)
    vec[~keep] = 0.0
    p = counts / max(counts.sum(), 1.0)
    vec[keep] -= (p[keep] / p[keep].sum()) @ vec[keep]
    norms = np.linalg.norm(vec, axis=1, keepdims=True)
    vec = np.divide(vec, norms, out=np.zeros_like(vec), where=norms > 0)
    vec *= (sif_a / (sif_a + p))[:, None]
    vec[~keep] = 0.0
    return vec.astype(np.float32)


def make_model(tokenizer: Tokenizer, weights: npt.NDArray[np.float32]) -> SentenceTransformer:
    """Wrap tokenizer and weights as a SentenceTransformer with one StaticEmbedding module."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    module = StaticEmbedding(tokenizer, embedding_weights=torch.from_numpy(weights))
    return SentenceTransformer(modules=[module], device="cpu")


# --------------------------------------------------------------------------- training data


def load_questions(training_dir: Path) -> list[dict[str, Any]]:
    """All training questions (``questions_*.yml``), in file order."""
    questions: list[dict[str, Any]] = []
    for path in sorted(training_dir.glob("questions_*.yml")):
        questions.extend(yaml.safe_load(path.read_text(encoding="utf-8"))["questions"])
    return questions


def load_paraphrases(training_dir: Path) -> list[tuple[str, str]]:
    """Paraphrase pairs (bokmål <-> nynorsk, abbreviations, everyday <-> guideline words)."""
    data = yaml.safe_load((training_dir / "paraphrases.yml").read_text(encoding="utf-8"))
    return [(str(a), str(b)) for a, b in data["pairs"]]


def split_questions(
    questions: list[dict[str, Any]], fraction: float, seed: int
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Seeded split into (train, held back); held-back questions only pick the epoch count."""
    order = list(range(len(questions)))
    random.Random(seed).shuffle(order)
    n_dev = round(len(questions) * fraction)
    dev = set(order[:n_dev])
    return [q for i, q in enumerate(questions) if i not in dev], [q for i, q in enumerate(questions) if i in dev]


def training_pairs(
    questions: list[dict[str, Any]], paraphrases: list[tuple[str, str]], passages: dict[str, Passage]
) -> list[Pair]:
    """Question -> each passage that answers it, and paraphrases in both directions."""
    pairs = [Pair(str(q["q"]), passages[pid].search_text(), pid) for q in questions for pid in q["answers"]]
    for n, (a, b) in enumerate(paraphrases):
        pairs += [Pair(a, b, f"para:{n}"), Pair(b, a, f"para:{n}")]
    return pairs


# --------------------------------------------------------------------------- fine-tuning


def retrieval_scores(
    model: SentenceTransformer, questions: list[dict[str, Any]], passages: dict[str, Passage]
) -> dict[str, float]:
    """hit@1, hit@3 and MRR of the encoder alone over all passages (any listed answer counts)."""
    ids = list(passages)
    doc = model.encode([passages[i].search_text() for i in ids], normalize_embeddings=True, convert_to_numpy=True)
    qv = model.encode([str(q["q"]) for q in questions], normalize_embeddings=True, convert_to_numpy=True)
    order = np.argsort(-(qv @ doc.T), axis=1, kind="stable")
    hit1 = hit3 = rr = 0.0
    for row, q in zip(order, questions, strict=True):
        ranks = [r for r, idx in enumerate(row) if ids[idx] in q["answers"]]
        best = ranks[0] if ranks else len(ids)
        hit1 += best < 1
        hit3 += best < 3
        rr += 1.0 / (best + 1)
    n = max(len(questions), 1)
    return {"hit@1": round(hit1 / n, 4), "hit@3": round(hit3 / n, 4), "mrr": round(rr / n, 4)}


def batches_without_clashes(pairs: list[Pair], size: int, rng: random.Random) -> list[list[Pair]]:
    """Shuffle, then fill batches so no two pairs of a batch share a group: a passage must
    never be the negative of a question it answers."""
    pool = pairs[:]
    rng.shuffle(pool)
    batches: list[list[Pair]] = []
    while pool:
        batch: list[Pair] = []
        groups: set[str] = set()
        rest: list[Pair] = []
        for pair in pool:
            if len(batch) < size and pair.group not in groups:
                batch.append(pair)
                groups.add(pair.group)
            else:
                rest.append(pair)
        batches.append(batch)
        pool = rest
    return batches


def fine_tune(
    model: SentenceTransformer,
    pairs: list[Pair],
    dev: list[dict[str, Any]],
    passages: dict[str, Passage],
    cfg: BuildConfig,
    log: Any,
) -> list[dict[str, Any]]:
    """Train with a symmetric in-batch-negatives loss; keep the weights of the best held-back
    MRR. Returns the per-epoch history for the manifest."""
    import torch

    torch.manual_seed(cfg.seed)
    rng = random.Random(cfg.seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=cfg.learning_rate)
    history = [{"epoch": 0, **retrieval_scores(model, dev, passages)}]
    best = (history[0]["mrr"], {k: v.detach().clone() for k, v in model.state_dict().items()}, 0)
    log(f"epoch 0 held-back {history[0]}")
    for epoch in range(1, cfg.epochs + 1):
        model.train()
        total = 0.0
        batches = batches_without_clashes(pairs, cfg.batch_size, rng)
        for batch in batches:
            anchors = model(model.preprocess([p.anchor for p in batch]))["sentence_embedding"]
            positives = model(model.preprocess([p.positive for p in batch]))["sentence_embedding"]
            a = torch.nn.functional.normalize(anchors, dim=1)
            b = torch.nn.functional.normalize(positives, dim=1)
            logits = cfg.scale * a @ b.T
            target = torch.arange(len(batch))
            loss = (
                torch.nn.functional.cross_entropy(logits, target) + torch.nn.functional.cross_entropy(logits.T, target)
            ) / 2
            optimizer.zero_grad()
            torch.autograd.backward(loss)
            optimizer.step()
            total += float(loss.detach())
        model.eval()
        scores = retrieval_scores(model, dev, passages)
        history.append({"epoch": epoch, "loss": round(total / len(batches), 4), **scores})
        log(f"epoch {epoch} {history[-1]}")
        if scores["mrr"] > best[0]:
            best = (scores["mrr"], {k: v.detach().clone() for k, v in model.state_dict().items()}, epoch)
    model.load_state_dict(best[1])
    log(f"kept epoch {best[2]} (held-back MRR {best[0]})")
    return history


# --------------------------------------------------------------------------- reports + manifest


def nearest_neighbours(
    tokenizer: Tokenizer, weights: npt.NDArray[np.float32], words: Iterable[str], k: int = 8
) -> dict[str, list[str]]:
    """Cosine neighbours of whole-word tokens, as a quick look at vector quality."""
    vocab: dict[str, int] = tokenizer.get_vocab()
    inv = {i: t for t, i in vocab.items()}
    norms = np.linalg.norm(weights, axis=1)
    unit = np.divide(weights, norms[:, None], out=np.zeros_like(weights), where=norms[:, None] > 0)
    out: dict[str, list[str]] = {}
    for word in words:
        idx = vocab.get(word)
        if idx is None or norms[idx] == 0:
            out[word] = []
            continue
        sims = unit @ unit[idx]
        sims[idx] = -np.inf
        best = np.argsort(-sims, kind="stable")[:k]
        out[word] = [f"{inv[int(i)]} {float(sims[i]):.3f}" for i in best]
    return out


MODEL_CARD = """# {name}

Offline Norwegian (Bokmål/Nynorsk) static sentence encoder for ROP-veiviser retrieval.
Built by `{script}`; `build_manifest.json` lists inputs, parameters, scores and hashes.

- Tokenizer: lowercase WordPiece, {vocab} tokens, æ/ø/å kept, trained on NoReC, NDT and the seeds.
- Vectors: {dim}-d, initialised from the project's floret word vectors (`{vectors}`),
  centred, row-normalised, SIF-weighted (a={sif_a}); then fine-tuned with an in-batch
  negatives loss on {n_pairs} question->passage and paraphrase pairs from `knowledge/training`
  (never on `knowledge/eval`). Kept epoch {epoch} of {epochs} by held-back MRR.
- Sentence vector = mean of token vectors (StaticEmbedding); normalise before cosine/IP.
- No corpus text is included.

```python
from sentence_transformers import SentenceTransformer
model = SentenceTransformer("{out}", device="cpu")
emb = model.encode(["Hvem har ansvaret for individuell plan?"], normalize_embeddings=True)
```
"""


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options; the defaults are the settings of the shipped model."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"), help="shared material dir")
    parser.add_argument("--vectors", type=Path, default=Path("knowledge/models/nb-floret-v1/vectors.floret.gz"))
    parser.add_argument("--out", type=Path, default=Path("knowledge/models/nb-static-v1"), help="output model dir")
    parser.add_argument("--seed", type=int, default=BuildConfig.seed)
    parser.add_argument("--epochs", type=int, default=BuildConfig.epochs)
    parser.add_argument("--learning-rate", type=float, default=BuildConfig.learning_rate)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the whole build; returns a process exit code."""
    import torch
    from sentence_transformers.sentence_transformer.modules import StaticEmbedding

    args = parse_args(argv)
    cfg = BuildConfig(seed=args.seed, epochs=args.epochs, learning_rate=args.learning_rate)
    t0 = time.perf_counter()

    def log(msg: str) -> None:
        print(f"[{time.perf_counter() - t0:6.1f}s] {msg}", file=sys.stderr, flush=True)

    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "true")
    inputs = find_inputs(args.shared)
    tokenizer = train_tokenizer(inputs, cfg)
    log(f"tokenizer trained: {tokenizer.get_vocab_size()} tokens")
    counts = token_counts(tokenizer, inputs)
    keep = content_mask(tokenizer)
    weights = initial_weights(floret_token_vectors(tokenizer, args.vectors), counts, keep, cfg.sif_a)
    model = make_model(tokenizer, weights)
    log(f"initialised {weights.shape} from {args.vectors}")

    _, found = load_sources(SOURCES_DIR)
    passages = {p.id: p for p in found}
    train_q, dev_q = split_questions(load_questions(TRAINING_DIR), cfg.dev_fraction, cfg.seed)
    pairs = training_pairs(train_q, load_paraphrases(TRAINING_DIR), passages)
    log(f"{len(train_q)} training questions, {len(dev_q)} held back, {len(pairs)} pairs")
    history = fine_tune(model, pairs, dev_q, passages, cfg, log)
    kept = max(history, key=lambda h: (h["mrr"], -h["epoch"]))

    out: Path = args.out
    out.mkdir(parents=True, exist_ok=True)
    model.save(str(out), create_model_card=False)
    static = model[0]
    assert isinstance(static, StaticEmbedding)  # make_model's one module
    final = static.embedding.weight.detach().numpy()
    (out / "README.md").write_text(
        MODEL_CARD.format(
            name=out.name,
            script=SCRIPT_NAME,
            vocab=tokenizer.get_vocab_size(),
            dim=final.shape[1],
            vectors=args.vectors.as_posix(),
            sif_a=cfg.sif_a,
            n_pairs=len(pairs),
            epoch=kept["epoch"],
            epochs=cfg.epochs,
            out=out.as_posix(),
        ),
        encoding="utf-8",
    )
    for path in out.iterdir():  # safetensors writes 0600; the model is not a secret
        if path.is_file():
            path.chmod(0o644)
    outputs = sorted(p for p in out.rglob("*") if p.is_file() and p.name != "build_manifest.json")
    training_files = sorted(TRAINING_DIR.glob("*.yml"))
    manifest = {
        "script": SCRIPT_NAME,
        "config": asdict(cfg),
        "vocab_size": tokenizer.get_vocab_size(),
        "dimension": int(final.shape[1]),
        "dtype": "float32",
        "inputs": inputs.records(),
        "vectors": file_records(Path("."), [args.vectors]),
        "training_data": {
            "files": file_records(Path("."), training_files),
            "questions_train": len(train_q),
            "questions_held_back": len(dev_q),
            "pairs": len(pairs),
        },
        "held_back_scores": history,
        "kept_epoch": kept["epoch"],
        "outputs": file_records(out, outputs),
        "total_output_bytes_without_manifest": sum(p.stat().st_size for p in outputs),
        "neighbours": nearest_neighbours(tokenizer, final, PROBE_WORDS),
        "build_seconds": round(time.perf_counter() - t0, 1),
        "versions": {
            "python": platform.python_version(),
            "numpy": np.__version__,
            "torch": torch.__version__,
            "tokenizers": __import__("tokenizers").__version__,
            "sentence_transformers": __import__("sentence_transformers").__version__,
        },
    }
    (out / "build_manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"encoder {out}: kept epoch {kept['epoch']}, held-back {json.dumps(kept)}")
    for word, nbrs in manifest["neighbours"].items():
        print(f"  {word:12s} -> {', '.join(nbrs) or '(not a whole token)'}")
    log("done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
