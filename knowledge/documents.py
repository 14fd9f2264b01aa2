"""Parse the guideline Markdown files into passages that can be quoted and cited.

A passage is a paragraph, a short list together with the line that introduces it,
or one item of a long list. Its text is the guideline's own wording; the headings
above it and the line introducing its list are kept beside it as context.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml

# A list (with its introducing line) at most this long is cited as one passage.
GROUP_LIST_CHARS = 450
_TERMINAL = (".", "!", "?")


@dataclass(frozen=True)
class Document:
    """One guideline text."""

    id: str
    title: str
    short_title: str
    path: Path


@dataclass(frozen=True)
class Passage:
    """A citable piece of a guideline, with a stable id."""

    id: str
    document_id: str
    document: str
    section: str
    headings: tuple[str, ...]
    text: str
    lead: str = ""
    # Id of the first passage of the recommendation (level-2 section) this passage belongs
    # to, e.g. the "God samhandling" commentary under "Anbefalinger om samhandling"; "" if none.
    recommendation: str = ""
    # Services the passage names (tags from services.yml), set when the knowledge base loads.
    services: tuple[str, ...] = ()

    def search_text(self) -> str:
        """Text used for retrieval: headings and the introducing line help short passages."""
        return " ".join((*self.headings, self.lead, self.text)).strip()


@dataclass
class _Section:
    headings: tuple[str, ...]
    slug: str
    group: str = ""  # slug of the level-2 section this one belongs to (itself if level 2)
    blocks: list[tuple[str, str]] = field(default_factory=list)  # ("para" | "item", text)


def slugify(text: str) -> str:
    """Lower-case ASCII-ish slug that keeps Norwegian letters readable."""
    table = str.maketrans({"æ": "ae", "ø": "o", "å": "a"})
    return re.sub(r"[^a-z0-9]+", "-", text.lower().translate(table)).strip("-")


def _split_front_matter(raw: str, path: Path) -> tuple[dict[str, str], str]:
    match = re.match(r"^---\n(.*?)\n---\n", raw, flags=re.DOTALL)
    if not match:
        raise ValueError(f"{path}: missing YAML front matter")
    meta = yaml.safe_load(match.group(1))
    for key in ("id", "title", "short_title"):
        if not meta.get(key):
            raise ValueError(f"{path}: front matter lacks {key!r}")
    return meta, raw[match.end() :]


def _sections(body: str) -> list[_Section]:
    """Group Markdown blocks under their heading path; repeated headings get -2, -3 slugs."""
    sections: list[_Section] = []
    path: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    current: _Section | None = None
    paragraph: list[str] = []

    def end_paragraph() -> None:
        if paragraph and current is not None:
            current.blocks.append(("para", " ".join(paragraph)))
        paragraph.clear()

    for line in body.splitlines():
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            end_paragraph()
            level, title = len(heading.group(1)), heading.group(2).strip()
            base = slugify(title)
            seen[base] = seen.get(base, 0) + 1
            slug = base if seen[base] == 1 else f"{base}-{seen[base]}"
            path = [entry for entry in path if entry[0] < level] + [(level, title, slug)]
            group = next((sl for lvl, _, sl in path if lvl == 2), "")
            current = _Section(headings=tuple(t for lvl, t, _ in path if lvl > 1), slug=slug, group=group)
            sections.append(current)
        elif line.startswith("- "):
            end_paragraph()
            if current is not None:
                current.blocks.append(("item", line[2:].strip()))
        elif line.strip():
            paragraph.append(line.strip())
        else:
            end_paragraph()
    end_paragraph()
    return sections


def _passages_of(section: _Section) -> list[tuple[str, str]]:
    """Turn a section's blocks into (text, lead) pairs following the grouping rule."""
    out: list[tuple[str, str]] = []
    blocks = section.blocks
    i = 0
    while i < len(blocks):
        kind, text = blocks[i]
        if kind == "para":
            j = i + 1
            if j < len(blocks) and blocks[j][0] == "item":
                i = _emit_list(blocks, j, text, out)
                continue
            out.append((text, ""))
            i += 1
        else:
            i = _emit_list(blocks, i, "", out)
    return out


def _emit_list(blocks: list[tuple[str, str]], start: int, lead: str, out: list[tuple[str, str]]) -> int:
    """Emit the list starting at `start`; return the index after it."""
    end = start
    while end < len(blocks) and blocks[end][0] == "item":
        end += 1
    items = [text for _, text in blocks[start:end]]
    lines = ([lead] if lead else []) + [f"- {item}" for item in items]
    if sum(len(line) for line in lines) <= GROUP_LIST_CHARS:
        out.append(("\n".join(lines), ""))
    else:
        if lead.endswith(_TERMINAL):
            out.append((lead, ""))
        out.extend((item, lead) for item in items)
    return end


def load_document(path: Path) -> tuple[Document, list[Passage]]:
    """Read one Markdown source into its document and passages."""
    meta, body = _split_front_matter(path.read_text(encoding="utf-8"), path)
    document = Document(id=meta["id"], title=meta["title"], short_title=meta["short_title"], path=path)
    passages: list[Passage] = []
    for section in _sections(body):
        for n, (text, lead) in enumerate(_passages_of(section), start=1):
            passages.append(
                Passage(
                    id=f"{document.id}:{section.slug}:{n}",
                    document_id=document.id,
                    document=document.short_title,
                    section=section.headings[-1] if section.headings else document.short_title,
                    headings=section.headings,
                    text=text,
                    lead=lead,
                    recommendation=f"{document.id}:{section.group}:1" if section.group else "",
                )
            )
    return document, passages


def source_files(sources_dir: Path, *extra_dirs: Path) -> list[Path]:
    """The `*.md` sources of the guidelines' folder, then of each extra folder, each sorted."""
    return [path for folder in (sources_dir, *extra_dirs) for path in sorted(folder.glob("*.md"))]


def load_sources(sources_dir: Path, *extra_dirs: Path) -> tuple[list[Document], list[Passage]]:
    """Load every `*.md` source of the folders; ids must be unique across documents."""
    if not any(sources_dir.glob("*.md")):
        raise FileNotFoundError(f"no guideline sources (*.md) in {sources_dir}")
    documents: list[Document] = []
    passages: list[Passage] = []
    for path in source_files(sources_dir, *extra_dirs):
        document, found = load_document(path)
        documents.append(document)
        passages.extend(found)
    duplicates = {i for i, n in Counter(p.id for p in passages).items() if n > 1}
    if duplicates:
        raise ValueError(f"duplicate passage ids: {sorted(duplicates)}")
    return documents, passages
