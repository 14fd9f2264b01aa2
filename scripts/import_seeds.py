"""Copy the two guideline texts from ../shared/seeds into knowledge/sources as Markdown.

The seeds are PDF/slide extractions. This script removes extraction artefacts
(bullet glyphs, hard line breaks, page titles repeated on every slide, spaced
hyphens, one glued word pair, a page footer) and adds Markdown structure, but
never changes the wording: tests/knowledge/test_sources.py checks every passage
against the seed. Run it only when the seeds change; content owners edit the
Markdown afterwards.

Usage: python scripts/import_seeds.py [--shared ../shared] [--out knowledge/sources]
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Seed:
    """One seed file and how to present it."""

    file: str
    doc_id: str
    title: str
    short_title: str
    headings: dict[str, int]  # heading text -> Markdown level
    dropped_lines: frozenset[str]  # page footers and other pure artefacts
    glued_bullets: frozenset[str]  # lines where the bullet "o" is glued to a lower-case word
    label_lines: frozenset[str]  # slide labels that stand alone although the line before wraps
    word_fixes: tuple[tuple[str, str], ...]  # glued words split again (letters unchanged)


SEEDS = (
    Seed(
        file="000_8cd899ab87f36d02.txt",
        doc_id="rop",
        title=(
            "Nasjonal faglig retningslinje for utredning, behandling og oppfølging av personer "
            "med samtidig ruslidelse og psykisk lidelse (ROP-lidelser) – God samhandling"
        ),
        short_title="ROP-retningslinjen",
        headings={
            "God samhandling": 3,
            "Samhandlingsteamet i Bærum": 3,
            "Anbefalinger om samhandling": 2,
            "Anbefalinger om kartlegging": 2,
            "Anbefalinger om behandling": 2,
            "Anbefalinger om behandling og oppfølging i kommunene": 2,
            "Anbefalinger om behandling i spesialisthelsetjenesten": 2,
            "Andre forhold som påvirker samhandling": 2,
            "Nettsteder": 2,
        },
        dropped_lines=frozenset({"Dobbeltdiagnose Dobbeltdiagnose"}),
        glued_bullets=frozenset({"ogenerell", "okompetanseutvikling", "odiskusjon", "outvikling"}),
        label_lines=frozenset({"ACT-team", "FACT"}),
        word_fixes=(),
    ),
    Seed(
        file="002_9d87e25ab6b1a6b3.txt",
        doc_id="sm",
        title=("Sammen om mestring – veileder i lokalt psykisk helsearbeid og rusarbeid for voksne (sammendrag)"),
        short_title="Sammen om mestring",
        headings={
            "Hovedforløp i lokalt psykisk helse- og rusarbeid": 2,
            "Flere hovedpunkter fra veilederen": 2,
            "Brukeren som viktigste aktør": 2,
            "Sammenheng mellom rus, traumer og psykiske helseproblemer": 2,
            "Lokalt rus- og psykisk helsearbeid skal bedre levekår": 2,
            "Varierte og lett tilgjengelige tjenester": 2,
            "Felles ansvar for samarbeid": 2,
            "Behandlingsallianse mellom bruker og tjenesteutøver": 2,
            "Fellesfaktorer påvirker også behandlingsresultatet": 2,
            "Flerfaglig tilnærming": 2,
            "Arbeid med kvalitet for å sikre og forbedre tjenestene": 2,
            "Hva er kommunens ansvar?": 2,
            "Hovedforløp for tilrettelegging av tjenester": 2,
        },
        dropped_lines=frozenset(),
        glued_bullets=frozenset(),
        label_lines=frozenset(),
        word_fixes=(("helseproblemereller", "helseproblemer eller"),),
    ),
)

_SPACED_HYPHEN = re.compile(r"(\w)- (?=pasient|lidelse)|(\w) - (?=og\b)")
_SLIDE_BULLET = re.compile(r"^o(?:\s+|(?=[A-ZÆØÅ]))")
_TEXT_BULLET = re.compile(r"^\s*•\s*")


def _strip_bullet(line: str, seed: Seed) -> tuple[bool, str]:
    """Return (is_bullet, text) for one raw line."""
    stripped = line.strip()
    if _TEXT_BULLET.match(line):
        return True, _TEXT_BULLET.sub("", line).strip()
    first = stripped.split(" ", 1)[0]
    if first in seed.glued_bullets:
        return True, stripped[1:]
    if stripped in seed.label_lines:
        return True, stripped
    if _SLIDE_BULLET.match(stripped):
        return True, _SLIDE_BULLET.sub("", stripped)
    return False, stripped


def _tidy(text: str, seed: Seed) -> str:
    """Fix spacing artefacts inside one logical line; letters stay the same."""
    text = re.sub(r"\s+", " ", text).strip()
    text = _SPACED_HYPHEN.sub(lambda m: (m.group(1) or m.group(2)) + "-" + ("" if m.group(1) else " "), text)
    for wrong, right in seed.word_fixes:
        text = text.replace(wrong, right)
    return text


def _blocks(raw: str, seed: Seed) -> list[tuple[str, str]]:
    """Split a seed into (kind, text) blocks: kind is 'h2', 'h3', 'item' or 'para'.

    A line ending in a space was wrapped by the extractor, so the next non-blank
    line continues it unless that line starts a bullet or is a heading.
    """
    blocks: list[tuple[str, str]] = []
    current: list[str] = []
    kind = "para"
    continues = False
    pending_heading = ""

    def flush() -> None:
        nonlocal current
        if current:
            blocks.append((kind, _tidy(" ".join(current), seed)))
        current = []

    for line in raw.splitlines():
        if not line.strip():
            continue
        is_bullet, text = _strip_bullet(line, seed)
        tidy = _tidy(text, seed)
        if tidy in seed.dropped_lines:
            continue
        candidate = f"{pending_heading} {tidy}".strip() if pending_heading else tidy
        if candidate in seed.headings:
            flush()
            pending_heading = ""
            blocks.append((f"h{seed.headings[candidate]}", candidate))
            continues = False
            continue
        if any(h.startswith(candidate + " ") for h in seed.headings) and not is_bullet:
            flush()
            pending_heading = candidate  # a heading wrapped over two lines
            continue
        if pending_heading:
            raise ValueError(f"unknown wrapped heading: {candidate!r}")
        if is_bullet or not continues:
            flush()
            kind = "item" if is_bullet else "para"
        current.append(text)
        continues = line.endswith(" ") and not line.rstrip().endswith(":")
    flush()
    return _drop_repeated_titles(blocks)


def _drop_repeated_titles(blocks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Remove a slide title repeated on the next slide with nothing else between."""
    kept: list[tuple[str, str]] = []
    for block in blocks:
        if block[0].startswith("h") and kept and kept[-1] == block:
            continue
        kept.append(block)
    return kept


def to_markdown(raw: str, seed: Seed) -> str:
    """Render one seed as Markdown with front matter naming its origin."""
    digest = hashlib.sha256(raw.encode("utf-8")).hexdigest()
    lines = [
        "---",
        f"id: {seed.doc_id}",
        f'title: "{seed.title}"',
        f'short_title: "{seed.short_title}"',
        f"seed_file: {seed.file}",
        f"seed_sha256: {digest}",
        "---",
        "",
        f"# {seed.short_title}",
        "",
    ]
    previous = ""
    for kind, text in _blocks(raw, seed):
        if kind == "item":
            if previous != "item" and lines[-1] != "":
                lines.append("")
            lines.append(f"- {text}")
        else:
            if lines[-1] != "":
                lines.append("")
            prefix = {"h2": "## ", "h3": "### "}.get(kind, "")
            lines.append(prefix + text)
            lines.append("")
        previous = kind
    return "\n".join(lines).rstrip() + "\n"


def main() -> None:
    """Import every seed; fail loudly if a seed file is missing."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=Path("../shared"))
    parser.add_argument("--out", type=Path, default=Path("knowledge/sources"))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    for seed in SEEDS:
        raw = (args.shared / "seeds" / seed.file).read_text(encoding="utf-8")
        target = args.out / f"{seed.doc_id}.md"
        target.write_text(to_markdown(raw, seed), encoding="utf-8")
        print(f"wrote {target}")


if __name__ == "__main__":
    main()
