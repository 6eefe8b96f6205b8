"""Reading the PolNeAR corpus (brat standoff) into quotegraph's own record types.

The corpus lives outside the repository (``../shared/polnear`` by default, or the folder named
by ``QUOTEGRAPH_POLNEAR``); nothing here copies it anywhere.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from quotegraph.model import Attribution, Span, kind_of

ROLES = ("Source", "Cue", "Content")
_T_LINE = re.compile(r"^T\d+\t\S+ [\d ;]+(\t|$)")
_E_LINE = re.compile(r"^E\d+\t")


@dataclass
class GoldDocument:
    """One annotator's annotation of one article: its own gold document."""

    annotation_id: str  # file stem of the .ann file, e.g. "<text-stem>_ef2d"
    text_id: str  # file stem of the article text
    text: str
    attributions: list[Attribution]


def default_root() -> Path:
    """Where PolNeAR is: ``$QUOTEGRAPH_POLNEAR`` or ``../shared/polnear`` beside the checkout."""
    env = os.environ.get("QUOTEGRAPH_POLNEAR")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "polnear"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "polnear"


def available(root: Path | None = None) -> bool:
    """True when the corpus folder is present (tests skip otherwise)."""
    root = root or default_root()
    return (root / "train").is_dir() and (root / "dev").is_dir()


def chosen_root(data: str | None) -> Path | None:
    """The PolNeAR folder of a ``--data`` option (else the default), or None after saying on
    stderr that it is missing: one check for every command that reads the corpus."""
    root = Path(data) if data else default_root()
    if not available(root):
        print(f"error: PolNeAR not found at {root}; pass --data DIR", file=sys.stderr)
        return None
    return root


def load_split(split: str, root: Path | None = None) -> list[GoldDocument]:
    """All gold documents of ``split`` ("train" or "dev"), in file-name order."""
    return list(iter_split(split, root))


def iter_split(split: str, root: Path | None = None) -> Iterator[GoldDocument]:
    root = root or default_root()
    folder = root / split
    if not folder.is_dir():
        raise FileNotFoundError(
            f"PolNeAR split {split!r} not found at {folder}; set QUOTEGRAPH_POLNEAR to the corpus"
        )
    texts: dict[str, str] = {}
    for ann_path in sorted((folder / "attributions").glob("*.ann")):
        text_id = ann_path.stem.rsplit("_", 1)[0]
        if text_id not in texts:
            texts[text_id] = (folder / "text" / f"{text_id}.txt").read_text(encoding="utf-8")
        text = texts[text_id]
        yield GoldDocument(ann_path.stem, text_id, text, parse_ann(ann_path.read_text("utf-8"), text))


def load_texts(split: str, root: Path | None = None) -> dict[str, str]:
    """Article texts of ``split`` keyed by file stem."""
    root = root or default_root()
    folder = root / split / "text"
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.txt"))}


def parse_ann(ann: str, text: str) -> list[Attribution]:
    """Parse brat standoff: T lines give spans, E lines tie Source/Cue/Content together."""
    spans: dict[str, tuple[str, list[Span]]] = {}
    events: list[dict[str, str]] = []
    for line in ann.splitlines():
        if _T_LINE.match(line):
            # the span text after the second tab may run over several lines; offsets suffice
            tid, head = line.split("\t", 2)[:2]
            role, offsets = head.split(" ", 1)
            fragments = []
            for piece in offsets.split(";"):
                start, end = (int(x) for x in piece.split())
                fragments.append(Span.of(text, start, end))
            spans[tid] = (role, fragments)
        elif _E_LINE.match(line):
            _, args = line.split("\t", 1)
            events.append(dict(arg.split(":", 1) for arg in args.split()))
    attributions = []
    for event in events:
        parts: dict[str, list[Span]] = {}
        for argument, ref in event.items():
            role = argument.rstrip("0123456789")  # a second content is named "Content2"
            if role in ROLES and ref in spans:
                parts.setdefault(role, []).extend(spans[ref][1])
        content = _strip_fragments(text, parts.get("Content", []))
        if not content:
            continue
        source = parts.get("Source")
        cue = parts.get("Cue")
        attributions.append(
            Attribution(
                id=f"a{len(attributions) + 1}",
                source=_join(text, source) if source else None,
                cue=_join(text, cue) if cue else None,
                content=content,
                kind=kind_of(content),
            )
        )
    return attributions


def _strip_fragments(text: str, fragments: list[Span]) -> list[Span]:
    """Content fragments without surrounding whitespace, in text order (the evaluation's view)."""
    out = []
    for f in sorted(fragments):
        start, end = f.start, f.end
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            out.append(Span.of(text, start, end))
    return out


def _join(text: str, fragments: list[Span]) -> Span:
    """Sources and cues are single spans in the record; a discontinuous one is kept whole.

    Discontinuous cues ("has ... said") are rare; the record keeps their full extent.
    """
    if len(fragments) == 1:
        return fragments[0]
    return Span.of(text, min(f.start for f in fragments), max(f.end for f in fragments))
