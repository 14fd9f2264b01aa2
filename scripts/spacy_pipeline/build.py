"""Train, evaluate and package the project's Norwegian spaCy pipeline (``nb_rop_core``).

Why: Rasa 3.6's ``SpacyNLP`` needs a spaCy 3.4 pipeline, and ``nb_core_news_*`` cannot be
downloaded here. This builds one from NDT/NorNE with the project's floret word vectors and
packages it as a wheel the project installs from its own tree.

Runs in the Rasa environment (it has spaCy 3.4). Uses spaCy's Python API rather than its
CLI, because the CLI's typer 0.7 does not work with the click that Rasa's environment pins.

Steps: convert NDT/UD to DocBins (``convert.py``, in a temporary folder, never in the repo),
load the floret vectors, train with ``config.cfg`` (fixed seed, bounded by ``max_steps``),
score ``model-best`` on the UD Bokmål test split, package the wheel into
``knowledge/models/spacy`` and write ``build_manifest.json`` there.

Usage: .venv-rasa/bin/python scripts/spacy_pipeline/build.py --shared ../shared
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # convert.py lives here, corpus.py one level up

import convert  # noqa: E402
from corpus import file_records, sha256_file  # noqa: E402

PACKAGE_NAME = "rop_core"
PACKAGE_VERSION = "0.2.0"
# spaCy 3.4 for Rasa; the services environment loads the same weights with spaCy 3.8.
SPACY_RANGE = ">=3.4.4,<3.9.0"
REPORTED = (
    "token_acc",
    "pos_acc",
    "morph_acc",
    "lemma_acc",
    "dep_uas",
    "dep_las",
    "sents_f",
    "ents_p",
    "ents_r",
    "ents_f",
)


def build_vectors(vectors_gz: Path, out: Path) -> None:
    """Turn the floret table into a spaCy vectors model the training config can load."""
    import spacy
    from spacy.training.initialize import convert_vectors

    nlp = spacy.blank("nb")
    convert_vectors(nlp, vectors_gz, truncate=0, prune=-1, mode="floret")
    nlp.to_disk(out)


def package_wheel(model_dir: Path, dest: Path, work: Path) -> Path:
    """``spacy package`` with the project's meta; returns the built wheel in ``dest``."""
    from spacy.cli.package import package

    meta = json.loads((HERE / "meta.json").read_text(encoding="utf-8"))
    meta["version"] = PACKAGE_VERSION
    meta["spacy_version"] = SPACY_RANGE
    meta_path = work / "meta.json"
    meta_path.write_text(json.dumps(meta, ensure_ascii=False, indent=2), encoding="utf-8")
    (work / "package").mkdir()
    package(
        model_dir,
        work / "package",
        meta_path=meta_path,
        name=PACKAGE_NAME,
        version=PACKAGE_VERSION,
        create_sdist=False,
        create_wheel=True,
        force=True,
        silent=True,
    )
    built = next((work / "package").rglob("*.whl"))
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("nb_rop_core-*.whl"):
        old.unlink()
    target = dest / built.name
    shutil.copyfile(built, target)
    return target


def main(argv: list[str] | None = None) -> int:
    """Run the whole build; returns a process exit code."""
    import spacy
    from spacy.about import __version__ as spacy_version
    from spacy.cli.evaluate import evaluate
    from spacy.cli.train import train

    ap = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    ap.add_argument("--shared", type=Path, default=Path("../shared"))
    ap.add_argument("--vectors", type=Path, default=Path("knowledge/models/nb-floret-v1/vectors.floret.gz"))
    ap.add_argument("--dest", type=Path, default=Path("knowledge/models/spacy"))
    ap.add_argument("--max-steps", type=int, default=None, help="override config.cfg (quick trials)")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    ndt = args.shared.resolve() / "corpora" / "ndt"
    work = Path(tempfile.mkdtemp(prefix="spacy-build-"))
    try:
        data = work / "data"
        convert.main(["--ndt", str(ndt), "--out", str(data)])
        build_vectors(args.vectors, work / "vectors")
        overrides: dict[str, Any] = {
            "paths.train": str(data / "train.spacy"),
            "paths.dev": str(data / "dev.spacy"),
            "paths.vectors": str(work / "vectors"),
        }
        if args.max_steps:
            overrides["training.max_steps"] = args.max_steps
        train(HERE / "config.cfg", work / "out", overrides=overrides)
        best = work / "out" / "model-best"
        scores = evaluate(str(best), data / "test.spacy", silent=True)
        wheel = package_wheel(best, args.dest, work)
        nlp = spacy.load(best)
        manifest = {
            "script": "scripts/spacy_pipeline/build.py",
            "package": f"nb_{PACKAGE_NAME}",
            "version": PACKAGE_VERSION,
            "spacy_version": SPACY_RANGE,
            "built_with": {"spacy": spacy_version, "python": platform.python_version()},
            "pipeline": nlp.pipe_names,
            "vectors": {
                "file": args.vectors.as_posix(),
                "sha256": sha256_file(args.vectors),
                "shape": list(nlp.vocab.vectors.shape),
                "mode": nlp.vocab.vectors.mode,
            },
            "config": {"file": "scripts/spacy_pipeline/config.cfg", "sha256": sha256_file(HERE / "config.cfg")},
            "training_data": {
                "ndt": "corpora/ndt/ndt/nob (UD train split files, tags mapped to UD) + first 1,900 UD dev sentences",
                "dev": "last 510 UD dev sentences",
                "test": "corpora/ndt/ud/nob/no_bokmaal-ud-test.conllu",
                "files": {p.name: sha256_file(p) for p in sorted(data.glob("*.spacy"))},
            },
            "ud_test_scores": {key: round(float(scores[key]), 4) for key in REPORTED if scores.get(key) is not None},
            "ents_per_type": scores.get("ents_per_type"),
            "wheel": file_records(args.dest, [wheel])[0],
            "build_seconds": round(time.perf_counter() - t0, 1),
        }
        (args.dest / "build_manifest.json").write_text(
            json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
        print("UD Bokmål test:", json.dumps(manifest["ud_test_scores"]))
        print(f"wheel {wheel} ({wheel.stat().st_size / 1e6:.1f} MB)")
    except BaseException:
        print(f"build failed; the work folder {work} is kept (trained model in out/)", file=sys.stderr)
        raise
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
