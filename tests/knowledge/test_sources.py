"""The knowledge base keeps the guidelines' wording: every passage is found verbatim in its seed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from knowledge.documents import load_sources
from knowledge.settings import PROJECT_ROOT, KnowledgeSettings

SEEDS = PROJECT_ROOT.parent / "shared" / "seeds"
SEED_OF = {"rop": "000_8cd899ab87f36d02.txt", "sm": "002_9d87e25ab6b1a6b3.txt"}


def _letters(text: str) -> str:
    """Only letters and digits: line breaks, bullets' spacing and hyphen spacing are artefacts."""
    return re.sub(r"[\W_]", "", text).lower()


def _pattern(passage_text: str) -> re.Pattern[str]:
    """Match the passage in the seed, allowing the seed's bullet glyph 'o' at any line start."""
    pieces = [_letters(line.removeprefix("- ")) for line in passage_text.splitlines()]
    return re.compile("o?".join(re.escape(p) for p in pieces if p))


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is only beside the project in development and CI")
def test_every_passage_is_verbatim_from_its_seed_text() -> None:
    _, passages = load_sources(KnowledgeSettings().sources_dir)
    seeds = {doc: _letters((SEEDS / name).read_text(encoding="utf-8")) for doc, name in SEED_OF.items()}
    missing = [p.id for p in passages if not _pattern(p.text).search(seeds[p.document_id])]
    assert missing == []


@pytest.mark.skipif(not SEEDS.exists(), reason="../shared/seeds is only beside the project in development and CI")
def test_sources_cover_the_whole_seed_except_repeated_slide_titles() -> None:
    """Nothing of substance is dropped: the passages and headings add up to the seed's letters."""
    sources = KnowledgeSettings().sources_dir
    for doc, name in SEED_OF.items():
        body = (sources / f"{doc}.md").read_text(encoding="utf-8").split("---", 2)[2]
        body = re.sub(r"^# .*$", "", body, count=1, flags=re.MULTILINE)
        kept, seed = len(_letters(body)), len(_letters((SEEDS / name).read_text(encoding="utf-8")))
        assert 0.93 * seed < kept <= seed


def test_import_script_reproduces_the_committed_sources(tmp_path: Path) -> None:
    """Re-importing gives the files content owners start from; drift means someone edited by hand."""
    if not SEEDS.exists():
        pytest.skip("../shared/seeds not present")
    import subprocess
    import sys

    subprocess.run(
        [
            sys.executable,
            str(PROJECT_ROOT / "scripts" / "import_seeds.py"),
            "--shared",
            str(SEEDS.parent),
            "--out",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    for path in sorted(KnowledgeSettings().sources_dir.glob("*.md")):
        assert (tmp_path / path.name).read_text(encoding="utf-8") == path.read_text(encoding="utf-8"), path.name
