"""An article's text cut into pieces for display: which role (source, cue, content) of which
attribution each piece belongs to, and whether it is the evidence of a dispute, block by block.

Pages render these pieces as escaped text inside styled elements; nothing here produces HTML,
so the article text can never become markup. Spans may nest or overlap (a quote inside a
quote): each piece takes the innermost span covering it, so every character is shown once.
A dispute's evidence is a layer of its own over the roles (it spans a whole attribution), so a
piece can be a cue and the evidence of a dispute at once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

from quotegraph.model import ArticleResult, Attribution, Dispute
from quotegraph.reading.structure import NOT_ATTRIBUTED, article_blocks

ROLES = ("source", "cue", "content")
_ROLE_RANK = {role: rank for rank, role in enumerate(ROLES)}


@dataclass(frozen=True)
class Part:
    """One span of one attribution in the text."""

    start: int
    end: int
    role: str
    attribution: str


@dataclass
class Piece:
    """A run of text with at most one role; ``anchor`` marks an attribution's first piece;
    ``dispute`` is the act of the dispute whose evidence it is part of (accuse, deny, reject)."""

    text: str
    role: str | None = None
    attribution: str | None = None
    number: int | None = None
    anchor: bool = False
    dispute: str | None = None


@dataclass
class BlockView:
    """One block of the article (headline, body paragraph, credit, ...) and its pieces."""

    kind: str
    attributed: bool
    pieces: list[Piece] = field(default_factory=list)


def mark_article(record: ArticleResult) -> list[BlockView]:
    """The article's blocks in order, each cut into pieces by the attributions' spans.

    Blocks the engine never attributes (credits, captions, related posts) get no marks.
    """
    numbers = attribution_numbers(record)
    parts = sorted(_parts(record.attributions), key=lambda p: (p.start, p.end))
    evidence = _evidence(record.disputes)
    anchored: set[str] = set()
    views = []
    for block in blocks_of(record):
        attributed = block["kind"] not in NOT_ATTRIBUTED
        inside = [p for p in parts if p.start < block["end"] and block["start"] < p.end]
        pieces = _cut(record.text, block["start"], block["end"], inside if attributed else [],
                      evidence if attributed else [])
        for piece in pieces:
            if piece.attribution is not None:
                piece.number = numbers.get(piece.attribution)
                if piece.attribution not in anchored:
                    piece.anchor = True
                    anchored.add(piece.attribution)
        views.append(BlockView(block["kind"], attributed, pieces))
    return views


def attribution_numbers(record: ArticleResult) -> dict[str, int]:
    """1, 2, 3 ... in the order attributions appear in the text, for tags and the table."""
    ordered = sorted(record.attributions, key=lambda a: min(s.start for s in _spans(a)))
    return {a.id: n for n, a in enumerate(ordered, start=1)}


def blocks_of(record: ArticleResult) -> list[dict[str, Any]]:
    """``meta.blocks`` when they fit the text, else the blocks found in the text itself."""
    given = record.meta.get("blocks")
    if isinstance(given, list) and given and all(_fits(b, len(record.text)) for b in given):
        return sorted(given, key=lambda b: b["start"])
    found = article_blocks(record.text)
    return found or [{"start": 0, "end": len(record.text), "kind": "body"}]


def _fits(block: Any, length: int) -> bool:
    try:
        return 0 <= int(block["start"]) <= int(block["end"]) <= length and bool(block["kind"])
    except (KeyError, TypeError, ValueError):
        return False


def _spans(attribution: Attribution) -> list[Any]:
    return [s for s in (attribution.source, attribution.cue, *attribution.content) if s]


@dataclass(frozen=True)
class Evidence:
    """The text that shows one dispute, and the dispute's act."""

    start: int
    end: int
    act: str


def _evidence(disputes: list[Dispute]) -> list[Evidence]:
    return [Evidence(d.evidence.start, d.evidence.end, d.act) for d in disputes
            if d.evidence.end > d.evidence.start]


def _parts(attributions: list[Attribution]) -> list[Part]:
    parts = []
    for a in attributions:
        for role, span in (("source", a.source), ("cue", a.cue)):
            if span is not None and span.end > span.start:
                parts.append(Part(span.start, span.end, role, a.id))
        parts += [Part(f.start, f.end, "content", a.id) for f in a.content if f.end > f.start]
    return parts


def _cut(
    text: str, start: int, end: int, parts: list[Part], evidence: list[Evidence]
) -> list[Piece]:
    """Pieces of ``text[start:end]``, split wherever a part or a dispute's evidence begins or
    ends."""
    bounds = {start, end}
    for part in [*parts, *evidence]:
        bounds.update(b for b in (part.start, part.end) if start < b < end)
    edges = sorted(bounds)
    pieces: list[Piece] = []
    for lo, hi in pairwise(edges):
        covering = [p for p in parts if p.start <= lo and hi <= p.end]
        inner = min(covering, key=lambda p: (p.end - p.start, _ROLE_RANK[p.role]), default=None)
        role = inner.role if inner else None
        attribution = inner.attribution if inner else None
        dispute = next((e.act for e in evidence if e.start <= lo and hi <= e.end), None)
        last = pieces[-1] if pieces else None
        if last is not None and (last.role, last.attribution, last.dispute) == (
                role, attribution, dispute):
            last.text += text[lo:hi]
        else:
            pieces.append(Piece(text[lo:hi], role, attribution, dispute=dispute))
    return pieces


def highlight_words(text: str, words: list[str]) -> list[tuple[str, bool]]:
    """``text`` cut into (piece, is_a_searched_word) so a template can mark the hits."""
    wanted = {w.casefold() for w in re.findall(r"\w+", " ".join(words))}
    if not wanted:
        return [(text, False)]
    pieces: list[tuple[str, bool]] = []
    position = 0
    for match in re.finditer(r"\w+", text):
        if match.group().casefold() in wanted:
            pieces.append((text[position:match.start()], False))
            pieces.append((match.group(), True))
            position = match.end()
    pieces.append((text[position:], False))
    return [piece for piece in pieces if piece[0]]
