"""Print what the shipped language models scored when they were built (from their manifests).

Why: `make models` ends with this, and `make eval` shows it beside the retrieval numbers,
so the quality of the word vectors, encoder and spaCy pipeline is always one command away
without retraining. The numbers come from the build manifests CI verifies.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

MODELS = Path(__file__).resolve().parent.parent / "knowledge" / "models"
VECTORS = MODELS / "nb-floret-v1" / "build_manifest.json"
ENCODER = MODELS / "nb-static-v1" / "build_manifest.json"
SPACY = MODELS / "spacy" / "build_manifest.json"
# Published scores of spaCy's official pipelines (model cards on huggingface.co/spacy, v3.x;
# their own evaluation split, so a guide rather than a like-for-like comparison).
PUBLISHED: dict[str, dict[str, float]] = {
    "nb_core_news_sm": {
        "pos_acc": 0.9674,
        "morph_acc": 0.9532,
        "lemma_acc": 0.9690,
        "dep_las": 0.8516,
        "ents_f": 0.7519,
    },
    "nb_core_news_md": {"pos_acc": 0.9729, "morph_acc": 0.9587, "lemma_acc": 0.9710, "ents_f": 0.8084},
}
SPACY_ROWS = (
    ("pos_acc", "POS (UPOS) accuracy"),
    ("morph_acc", "morphology accuracy"),
    ("lemma_acc", "lemma accuracy"),
    ("dep_las", "LAS"),
    ("ents_f", "NER F1"),
)


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _pct(value: float | None) -> str:
    return "   -  " if value is None else f"{100 * value:6.2f}"


def report() -> str:
    """The three models' build-time numbers as plain text tables."""
    lines: list[str] = []
    vectors = _load(VECTORS)
    params = vectors["parameters"]
    lines.append(
        f"Word vectors nb-floret-v1: floret {params['model']}, dim {params['dim']}, {params['bucket']:,} buckets, "
        f"{vectors['tokens']['total']:,} training tokens, {vectors['vocabulary_words']:,} words"
    )
    for word, neighbours in vectors["neighbours"]["table"].items():
        oov = " (not in training vocabulary)" if word in vectors["neighbours"]["oov"] else ""
        shown = ", ".join(f"{w} {c:.2f}" for w, c in neighbours[:6])
        lines.append(f"  {word}{oov}: {shown}")

    encoder = _load(ENCODER)
    kept = next(h for h in encoder["held_back_scores"] if h["epoch"] == encoder["kept_epoch"])
    start = encoder["held_back_scores"][0]
    size = encoder["total_output_bytes_without_manifest"] / 1e6
    lines.append(
        f"\nEncoder nb-static-v1: {encoder['vocab_size']:,} word pieces x {encoder['dimension']}, {size:.1f} MB; "
        f"{encoder['training_data']['pairs']} training pairs"
    )
    lines.append(
        f"  held-back training questions ({encoder['training_data']['questions_held_back']}): "
        f"MRR {start['mrr']:.3f} from the word vectors -> {kept['mrr']:.3f} fine-tuned "
        f"(hit@1 {kept['hit@1']:.3f}, hit@3 {kept['hit@3']:.3f}, epoch {kept['epoch']})"
    )

    spacy = _load(SPACY)
    scores = spacy["ud_test_scores"]
    lines.append(
        f"\nspaCy {spacy['package']} {spacy['version']} ({', '.join(spacy['pipeline'])}), "
        f"UD Norwegian-Bokmaal test, raw text:"
    )
    lines.append(f"  {'':22s} {'ours':>6s}  {'sm*':>6s}  {'md*':>6s}")
    for key, label in SPACY_ROWS:
        sm, md = PUBLISHED["nb_core_news_sm"].get(key), PUBLISHED["nb_core_news_md"].get(key)
        lines.append(f"  {label:22s} {_pct(scores.get(key))}  {_pct(sm)}  {_pct(md)}")
    lines.append("  * published on the spaCy model cards (their own split); a guide, not like for like")
    return "\n".join(lines)


if __name__ == "__main__":
    print(report())
